// Store access for users' SSH public keys; rows are decoded here.
import type { Store } from '../store/db.js';

export interface SshKeyRow {
  id: string;
  user_id: string;
  name: string;
  key_type: string;
  fingerprint: string;
  public_key: string;
  created_at: number;
  last_used_at: number | null;
}

const decode = (r: Record<string, unknown>): SshKeyRow => ({
  ...(r as unknown as SshKeyRow),
  created_at: Number(r.created_at),
  last_used_at: r.last_used_at === null || r.last_used_at === undefined ? null : Number(r.last_used_at),
});
const decodeOne = (r: unknown) => (r ? decode(r as Record<string, unknown>) : undefined);

export class SshKeyRepo {
  constructor(private readonly store: Store) {}

  private get t() {
    return this.store.knex('ssh_keys');
  }

  async insert(row: SshKeyRow): Promise<void> {
    await this.t.insert(row);
  }

  async countOf(userId: string): Promise<number> {
    const r = (await this.t.where('user_id', userId).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(r?.n ?? 0);
  }

  async byFingerprint(fingerprint: string): Promise<SshKeyRow | undefined> {
    return decodeOne(await this.t.where('fingerprint', fingerprint).first());
  }

  async byName(userId: string, name: string): Promise<SshKeyRow | undefined> {
    return decodeOne(await this.t.where({ user_id: userId, name }).first());
  }

  /** One of a user's keys by id, name or fingerprint. */
  async findOf(userId: string, ref: string): Promise<SshKeyRow | undefined> {
    return decodeOne(
      await this.t
        .where('user_id', userId)
        .andWhere((q) => q.where('id', ref).orWhere('name', ref).orWhere('fingerprint', ref))
        .first(),
    );
  }

  /** A user's keys, oldest first. */
  async listOf(userId: string): Promise<SshKeyRow[]> {
    return ((await this.t.where('user_id', userId).orderBy('created_at')) as Record<string, unknown>[]).map(decode);
  }

  async remove(id: string): Promise<void> {
    await this.t.where('id', id).delete();
  }

  async noteUse(id: string, now: number): Promise<void> {
    await this.t.where('id', id).update({ last_used_at: now });
  }
}

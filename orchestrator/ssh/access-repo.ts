// Store access for SSH access tokens (stored as hashes); rows are decoded here.
import type { Store } from '../store/db.js';

export interface SshAccessRow {
  id: string;
  sandbox_id: string;
  organization_id: string;
  user_id: string;
  token_hash: string;
  expires_at: number;
  created_at: number;
  updated_at: number;
}

export class SshAccessRepo {
  constructor(private readonly store: Store) {}

  private get t() {
    return this.store.knex('ssh_access');
  }

  async insert(row: SshAccessRow): Promise<void> {
    await this.t.insert(row);
  }

  async byTokenHash(tokenHash: string): Promise<SshAccessRow | undefined> {
    const r = (await this.t.where('token_hash', tokenHash).first()) as Record<string, unknown> | undefined;
    return r
      ? {
          ...(r as unknown as SshAccessRow),
          expires_at: Number(r.expires_at),
          created_at: Number(r.created_at),
          updated_at: Number(r.updated_at),
        }
      : undefined;
  }

  /** Ids of a sandbox's tokens (only the one with this hash, if given). */
  async idsOf(sandboxId: string, tokenHash?: string): Promise<string[]> {
    const q = this.t.where('sandbox_id', sandboxId);
    if (tokenHash !== undefined) q.andWhere('token_hash', tokenHash);
    return ((await q.select('id')) as { id: string }[]).map((r) => r.id);
  }

  async remove(ids: string[]): Promise<void> {
    await this.t.whereIn('id', ids).delete();
  }

  /** Drops a sandbox's tokens that expired before `now`. */
  async removeExpired(sandboxId: string, now: number): Promise<void> {
    await this.t.where('sandbox_id', sandboxId).andWhere('expires_at', '<', now).delete();
  }
}

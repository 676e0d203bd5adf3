// Store access for web UI sessions (ui_sessions); rows hold only the token's hash.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

export interface SessionRow {
  id: string;
  token_hash: string;
  key_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export type SessionRef = Pick<SessionRow, 'id' | 'key_id' | 'last_seen_at' | 'expires_at'>;

export class SessionRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<SessionRow> {
    return this.store.knex<SessionRow>('ui_sessions');
  }

  async insert(row: SessionRow): Promise<void> {
    await this.t.insert(row);
  }

  async byTokenHash(tokenHash: string): Promise<SessionRef | null> {
    const row = await this.t.where({ token_hash: tokenHash }).first();
    if (!row) return null;
    return {
      id: row.id,
      key_id: row.key_id,
      last_seen_at: Number(row.last_seen_at),
      expires_at: Number(row.expires_at),
    };
  }

  async touch(id: string, now: number): Promise<void> {
    await this.t.where({ id }).update({ last_seen_at: now });
  }

  async remove(id: string): Promise<void> {
    await this.t.where({ id }).delete();
  }

  async removeByTokenHash(tokenHash: string): Promise<void> {
    await this.t.where({ token_hash: tokenHash }).delete();
  }

  /** Deletes sessions past `expiresBefore` or unused since `idleBefore`. */
  async prune(expiresBefore: number, idleBefore: number): Promise<void> {
    await this.t.where('expires_at', '<=', expiresBefore).orWhere('last_seen_at', '<=', idleBefore).delete();
  }
}

// Store access for one-time sign-in links (ui_sign_in_links); rows hold only the token's hash.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

export interface SignInLinkRow {
  token_hash: string;
  key_id: string;
  created_at: number;
  expires_at: number;
}

export class SignInLinkRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<SignInLinkRow> {
    return this.store.knex<SignInLinkRow>('ui_sign_in_links');
  }

  async insert(row: SignInLinkRow): Promise<void> {
    await this.t.insert(row);
  }

  async byTokenHash(tokenHash: string): Promise<{ key_id: string; expires_at: number } | null> {
    const row = await this.t.where({ token_hash: tokenHash }).first();
    return row ? { key_id: row.key_id, expires_at: Number(row.expires_at) } : null;
  }

  /** Deletes the link; true only for the caller whose delete removed it. */
  async take(tokenHash: string): Promise<boolean> {
    return (await this.t.where({ token_hash: tokenHash }).delete()) === 1;
  }

  async pruneExpired(now: number): Promise<void> {
    await this.t.where('expires_at', '<=', now).delete();
  }
}

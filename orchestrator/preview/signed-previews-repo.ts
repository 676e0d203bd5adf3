// Store access for signed (expiring) preview tokens (signed_previews); rows hold only the token's hash.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

export interface SignedPreviewRow {
  token_hash: string;
  sandbox_id: string;
  organization_id: string;
  port: number;
  expires_at: number;
  created_at: number;
}

export class SignedPreviewRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<SignedPreviewRow> {
    return this.store.knex<SignedPreviewRow>('signed_previews');
  }

  async insert(row: SignedPreviewRow): Promise<void> {
    await this.t.insert(row);
  }

  /** Deletes the sandbox's tokens that expired before `before`. */
  async removeExpired(sandboxId: string, before: number): Promise<void> {
    await this.t.where('sandbox_id', sandboxId).andWhere('expires_at', '<', before).delete();
  }

  /** Sets the token's expiry to `at`; false when no such token of this sandbox and port. */
  async expire(tokenHash: string, sandboxId: string, port: number, at: number): Promise<boolean> {
    return (await this.t.where({ token_hash: tokenHash, sandbox_id: sandboxId, port }).update({ expires_at: at })) > 0;
  }

  async byTokenHash(tokenHash: string): Promise<SignedPreviewRow | null> {
    const r = await this.t.where({ token_hash: tokenHash }).first();
    if (!r) return null;
    return {
      token_hash: r.token_hash,
      sandbox_id: r.sandbox_id,
      organization_id: r.organization_id,
      port: Number(r.port),
      expires_at: Number(r.expires_at),
      created_at: Number(r.created_at),
    };
  }
}

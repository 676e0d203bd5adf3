// Store access for a sandbox's preview token and file-URL signing key (sandbox_access).
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

export interface AccessRow {
  sandbox_id: string;
  organization_id: string;
  preview_token: string;
  signing_key: string;
  created_at: number;
  updated_at: number;
}

export class SandboxAccessRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<AccessRow> {
    return this.store.knex<AccessRow>('sandbox_access');
  }

  async get(sandboxId: string): Promise<AccessRow | null> {
    return (await this.t.where({ sandbox_id: sandboxId }).first()) ?? null;
  }

  /** Inserts the row unless another request made the sandbox's row first. */
  async insertIfAbsent(row: AccessRow): Promise<void> {
    await this.t.insert(row).catch((e: Error) => {
      if (!/unique|duplicate|constraint/i.test(e.message)) throw e; // made concurrently
    });
  }

  async setSigningKey(sandboxId: string, key: string, now: number): Promise<void> {
    await this.t.where({ sandbox_id: sandboxId }).update({ signing_key: key, updated_at: now });
  }
}

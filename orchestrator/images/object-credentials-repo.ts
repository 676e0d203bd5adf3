// Store access for short-lived object-store push credentials (object_credentials).
// The secret column holds the sealed secret; unsealing is the caller's job.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

export interface ObjectCredentialRow {
  access_key: string;
  organization_id: string;
  secret: string;
  expires_at: number;
  created_at: number;
}

export class ObjectCredentialRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<ObjectCredentialRow> {
    return this.store.knex<ObjectCredentialRow>('object_credentials');
  }

  async insert(row: ObjectCredentialRow): Promise<void> {
    await this.t.insert(row);
  }

  async removeExpired(now: number): Promise<void> {
    await this.t.where('expires_at', '<', now).delete();
  }

  async byAccessKey(
    accessKey: string,
  ): Promise<Pick<ObjectCredentialRow, 'organization_id' | 'secret' | 'expires_at'> | null> {
    const row = await this.t.where('access_key', accessKey).first();
    if (!row) return null;
    return { organization_id: row.organization_id, secret: row.secret, expires_at: Number(row.expires_at) };
  }
}

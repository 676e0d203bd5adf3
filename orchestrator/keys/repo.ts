// Store access for API keys; rows are decoded here (permissions are JSON text on SQLite).
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import { decodeApiKey, type ApiKeyRow } from '../store/rows.js';

const decodeAll = (rows: unknown) => (rows as Record<string, unknown>[]).map((r) => decodeApiKey(r)!);

export class ApiKeyRepo {
  constructor(private readonly store: Store) {}

  private t(trx?: Knex.Transaction) {
    return (trx ?? this.store.knex)('api_keys');
  }

  private active(organizationId: string, userId?: string) {
    const q = this.t().where('organization_id', organizationId).whereNull('revoked_at');
    if (userId) q.where('user_id', userId);
    return q;
  }

  async insert(row: ApiKeyRow): Promise<void> {
    await this.t().insert({ ...row, permissions: JSON.stringify(row.permissions) });
  }

  async get(id: string): Promise<ApiKeyRow | undefined> {
    return decodeApiKey(await this.t().where({ id }).first());
  }

  async existsWithHash(keyHash: string): Promise<boolean> {
    return !!(await this.t().where('key_hash', keyHash).first());
  }

  /** Keys sharing a prefix: the candidates a presented token's hash is compared against. */
  async withPrefix(prefix: string): Promise<ApiKeyRow[]> {
    return decodeAll(await this.t().where('prefix', prefix));
  }

  /** Unrevoked keys in an organization (of one user, if given), newest first. */
  async listActive(organizationId: string, userId?: string): Promise<ApiKeyRow[]> {
    return decodeAll(await this.active(organizationId, userId).orderBy('created_at', 'desc'));
  }

  async activeByName(organizationId: string, userId: string, name: string): Promise<ApiKeyRow | undefined> {
    return decodeApiKey(await this.active(organizationId, userId).where('name', name).first());
  }

  /** Unrevoked keys made at first start. */
  async activeBootstrap(): Promise<ApiKeyRow[]> {
    return decodeAll(await this.t().where('bootstrap', true).whereNull('revoked_at'));
  }

  async markBootstrap(id: string): Promise<void> {
    await this.t().where({ id }).update({ bootstrap: true });
  }

  async setPermissions(id: string, permissions: string[]): Promise<void> {
    await this.t()
      .where({ id })
      .update({ permissions: JSON.stringify(permissions) });
  }

  async noteUse(id: string, now: number): Promise<void> {
    await this.t().where({ id }).update({ last_used_at: now });
  }

  async revoke(id: string, now: number): Promise<void> {
    await this.t().where({ id }).update({ revoked_at: now });
  }

  /** Revokes every key of an organization (it is being deleted). */
  async revokeAllOf(organizationId: string, now: number, trx?: Knex.Transaction): Promise<void> {
    await this.t(trx).where('organization_id', organizationId).update({ revoked_at: now });
  }

  /** Revokes a member's unrevoked keys in an organization (they left it). */
  async revokeMember(organizationId: string, userId: string, now: number, trx?: Knex.Transaction): Promise<void> {
    await this.t(trx)
      .where({ organization_id: organizationId, user_id: userId })
      .whereNull('revoked_at')
      .update({ revoked_at: now });
  }
}

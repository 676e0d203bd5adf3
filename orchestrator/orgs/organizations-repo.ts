// Store access for organizations.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import { decodeOrganization, type OrganizationRow } from '../store/rows.js';

export class OrganizationRepo {
  constructor(private readonly store: Store) {}

  async get(id: string): Promise<OrganizationRow | undefined> {
    return decodeOrganization(await this.store.knex('organizations').where({ id }).first());
  }

  async exists(id: string): Promise<boolean> {
    return !!(await this.store.knex('organizations').where({ id }).first());
  }

  /** Every organization, oldest first. */
  async all(): Promise<OrganizationRow[]> {
    return ((await this.store.knex('organizations').orderBy('created_at')) as Record<string, unknown>[]).map((r) =>
      decodeOrganization(r)!,
    );
  }

  /** The organizations `userId` belongs to, oldest first, with their role in each. */
  async ofUser(userId: string): Promise<(OrganizationRow & { role: string })[]> {
    const rows = (await this.store
      .knex('memberships as m')
      .join('organizations as o', 'o.id', 'm.organization_id')
      .where('m.user_id', userId)
      .orderBy('o.created_at')
      .select('o.*', 'm.role')) as Record<string, unknown>[];
    return rows.map((r) => ({ ...decodeOrganization(r)!, role: String(r.role) }));
  }

  async insert(row: OrganizationRow, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.store.knex)('organizations').insert(row);
  }

  async remove(id: string, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.store.knex)('organizations').where('id', id).delete();
  }
}

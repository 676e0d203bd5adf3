// Store access for memberships (a user's role in an organization).
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import { decodeMembership, type MembershipRow } from '../store/rows.js';

/** A membership with its user's email and name. */
export type MemberRow = MembershipRow & { email: string; name: string };

export class MembershipRepo {
  constructor(private readonly store: Store) {}

  private t(trx?: Knex.Transaction) {
    return (trx ?? this.store.knex)('memberships');
  }

  async get(organizationId: string, userId: string, trx?: Knex.Transaction): Promise<MembershipRow | undefined> {
    return decodeMembership(await this.t(trx).where({ organization_id: organizationId, user_id: userId }).first());
  }

  /** Whether the user with this email address is a member of the organization. */
  async hasEmail(organizationId: string, email: string): Promise<boolean> {
    return !!(await this.store
      .knex('memberships as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where({ 'm.organization_id': organizationId, 'u.email': email })
      .first());
  }

  /** Every organization `userId` belongs to. */
  async ofUser(userId: string): Promise<MembershipRow[]> {
    return ((await this.t().where('user_id', userId)) as Record<string, unknown>[]).map((r) => decodeMembership(r)!);
  }

  /** The oldest organization `userId` owns. */
  async firstOwned(userId: string): Promise<MembershipRow | undefined> {
    return decodeMembership(await this.t().where({ user_id: userId, role: 'owner' }).orderBy('created_at').first());
  }

  /** The members of an organization with their email and name, oldest first. */
  async withUsers(organizationId: string): Promise<MemberRow[]> {
    const rows = (await this.store
      .knex('memberships as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where('m.organization_id', organizationId)
      .orderBy('m.created_at')
      .select('m.*', 'u.email', 'u.name')) as Record<string, unknown>[];
    return rows.map((r) => ({ ...decodeMembership(r)!, email: String(r.email), name: String(r.name) }));
  }

  /** How many organizations `userId` owns. */
  async countOwnedBy(userId: string): Promise<number> {
    return this.count({ user_id: userId, role: 'owner' });
  }

  async countOwners(organizationId: string): Promise<number> {
    return this.count({ organization_id: organizationId, role: 'owner' });
  }

  private async count(where: Partial<MembershipRow>): Promise<number> {
    const r = (await this.t().where(where).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(r?.n ?? 0);
  }

  async insert(row: MembershipRow, trx?: Knex.Transaction): Promise<void> {
    await this.t(trx).insert(row);
  }

  async setRole(organizationId: string, userId: string, role: string): Promise<void> {
    await this.t().where({ organization_id: organizationId, user_id: userId }).update({ role });
  }

  async remove(organizationId: string, userId: string, trx?: Knex.Transaction): Promise<void> {
    await this.t(trx).where({ organization_id: organizationId, user_id: userId }).delete();
  }

  async removeAllOf(organizationId: string, trx?: Knex.Transaction): Promise<void> {
    await this.t(trx).where('organization_id', organizationId).delete();
  }
}

// Store access for invitations; rows are decoded here (PostgreSQL answers bigints as strings).
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

export interface InvitationRow {
  id: string;
  organization_id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by: string;
  status: string;
  expires_at: number;
  created_at: number;
  updated_at: number;
  /** Set by `pendingForEmail`, which joins the organization. */
  organization_name?: string;
}

const decode = (r: Record<string, unknown>): InvitationRow => ({
  ...(r as unknown as InvitationRow),
  expires_at: Number(r.expires_at),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});
const decodeOne = (r: unknown) => (r ? decode(r as Record<string, unknown>) : undefined);

export class InvitationRepo {
  constructor(private readonly store: Store) {}

  private t(trx?: Knex.Transaction) {
    return (trx ?? this.store.knex)('invitations');
  }

  async insert(row: InvitationRow): Promise<void> {
    await this.t().insert(row);
  }

  async pending(id: string, organizationId?: string): Promise<InvitationRow | undefined> {
    return decodeOne(
      await this.t()
        .where({ id, status: 'pending', ...(organizationId ? { organization_id: organizationId } : {}) })
        .first(),
    );
  }

  async pendingByTokenHash(tokenHash: string): Promise<InvitationRow | undefined> {
    return decodeOne(await this.t().where({ token_hash: tokenHash, status: 'pending' }).first());
  }

  /** An organization's open invitations, newest first. */
  async pendingIn(organizationId: string): Promise<InvitationRow[]> {
    const rows = await this.t()
      .where({ organization_id: organizationId, status: 'pending' })
      .orderBy('created_at', 'desc');
    return (rows as Record<string, unknown>[]).map(decode);
  }

  /** Open invitations addressed to `email`, from any organization, with the organization's name. */
  async pendingForEmail(email: string): Promise<InvitationRow[]> {
    const rows = await this.store
      .knex('invitations as i')
      .join('organizations as o', 'o.id', 'i.organization_id')
      .where({ 'i.email': email, 'i.status': 'pending' })
      .select('i.*', 'o.name as organization_name');
    return (rows as Record<string, unknown>[]).map(decode);
  }

  async setStatus(id: string, status: string, now: number): Promise<void> {
    await this.t().where({ id }).update({ status, updated_at: now });
  }

  /** Cancels the open invitation of `email` into an organization (a new one replaces it). */
  async cancelPendingFor(organizationId: string, email: string, now: number): Promise<void> {
    await this.t()
      .where({ organization_id: organizationId, email, status: 'pending' })
      .update({ status: 'cancelled', updated_at: now });
  }

  /** Marks a pending invitation accepted; false when it was no longer pending. */
  async markAccepted(id: string, now: number, trx?: Knex.Transaction): Promise<boolean> {
    return !!(await this.t(trx).where({ id, status: 'pending' }).update({ status: 'accepted', updated_at: now }));
  }

  /** Cancels every pending invitation past its expiry. */
  async cancelExpired(now: number): Promise<void> {
    await this.t()
      .where('status', 'pending')
      .andWhere('expires_at', '<=', now)
      .update({ status: 'cancelled', updated_at: now });
  }
}

// Invitations by email address. The invitation is stored with a hashed
// one-time token; delivery is a logged link (no mail server is assumed). An
// invitee accepts either with an API key of their own (their email must
// match) or with the token alone, which creates their user, a personal
// organization and a first API key in the inviting organization.
import { AppError, notFound } from '../../common/errors.js';
import { newId, randomToken, sha256Hex } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { Store } from '../store/db.js';
import type { Principal } from '../principal.js';
import { InvitationRepo, type InvitationRow } from './invitations-repo.js';
import { MembershipRepo } from './memberships-repo.js';
import { OrganizationRepo } from './organizations-repo.js';
import { UserRepo } from './users-repo.js';
import { isRole, ROLE_PERMISSIONS, type Role } from '../keys/permissions.js';
import type { KeyService } from '../keys/service.js';
import type { OrgService } from './service.js';

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';

export interface Invitation {
  id: string;
  organizationId: string;
  organizationName?: string;
  email: string;
  role: Role;
  invitedBy: string;
  status: InvitationStatus;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface InvitationDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  orgs: OrgService;
  keys: KeyService;
  publicUrl: string;
  ttlHours: number;
}

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

const toInvitation = (r: InvitationRow): Invitation => ({
  id: r.id,
  organizationId: r.organization_id,
  ...(r.organization_name ? { organizationName: r.organization_name } : {}),
  email: r.email,
  role: isRole(r.role) ? r.role : 'member',
  invitedBy: r.invited_by,
  status: r.status as InvitationStatus,
  expiresAt: new Date(Number(r.expires_at)),
  createdAt: new Date(Number(r.created_at)),
  updatedAt: new Date(Number(r.updated_at)),
});

export class InvitationService {
  private readonly invitations: InvitationRepo;
  private readonly memberships: MembershipRepo;
  private readonly users: UserRepo;

  constructor(private readonly d: InvitationDeps) {
    this.invitations = new InvitationRepo(d.store);
    this.memberships = new MembershipRepo(d.store);
    this.users = new UserRepo(d.store);
  }

  private now(): number {
    return this.d.clock.now().getTime();
  }

  /** Invites an email address into the principal's organization; the answer carries the one-time token (shown once). */
  async invite(
    p: Principal,
    input: { email: string; role?: string; expiresAt?: Date },
  ): Promise<Invitation & { token: string; link: string }> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL_RE.test(email))
      throw new AppError('invalid_argument', `${input.email} is not an email address`, {
        hint: 'e.g. alice@example.com',
      });
    const role = input.role ?? 'member';
    if (!isRole(role))
      throw new AppError('invalid_argument', `unknown role ${role}`, { hint: 'owner, admin or member' });
    this.d.orgs.requireManager(p, role);
    const now = this.now();
    const expiresAt = input.expiresAt?.getTime() ?? now + this.d.ttlHours * 3_600_000;
    if (expiresAt <= now)
      throw new AppError('invalid_argument', 'expiresAt is in the past', {
        hint: 'send a future ISO-8601 time or omit it',
      });
    if (await this.memberships.hasEmail(p.organizationId, email))
      throw new AppError('conflict', `${email} is already a member`, {
        hint: 'change their role with POST /api/organizations/{id}/users/{userId}/access',
      });
    // One open invitation per address: a new one replaces the old.
    await this.invitations.cancelPendingFor(p.organizationId, email, now);
    const token = `berth_inv_${randomToken(24)}`;
    const row: InvitationRow = {
      id: newId(),
      organization_id: p.organizationId,
      email,
      role,
      token_hash: sha256Hex(token),
      invited_by: p.userId,
      status: 'pending',
      expires_at: expiresAt,
      created_at: now,
      updated_at: now,
    };
    await this.invitations.insert(row);
    const link = `${this.d.publicUrl}/api/invitations/accept?token=${token}`;
    // The delivery: a mail relay (or a person) picks this line up from the server log.
    this.d.log.info('invitation created; send this link to the invitee', {
      organizationId: p.organizationId,
      email,
      role,
      link,
    });
    return { ...toInvitation(row), token, link };
  }

  async list(p: Principal): Promise<Invitation[]> {
    this.d.orgs.requireManager(p);
    await this.expire();
    return (await this.invitations.pendingIn(p.organizationId)).map(toInvitation);
  }

  async cancel(p: Principal, id: string): Promise<Invitation> {
    this.d.orgs.requireManager(p);
    const r = await this.invitations.pending(id, p.organizationId);
    if (!r) throw notFound(`invitation ${id}`, 'list open invitations with GET /api/organizations/{id}/invitations');
    await this.invitations.setStatus(id, 'cancelled', this.now());
    return { ...toInvitation(r), status: 'cancelled' };
  }

  /** Pending invitations addressed to the caller's email, from any organization. */
  async mine(p: Principal): Promise<Invitation[]> {
    if (!p.email) return [];
    await this.expire();
    return (await this.invitations.pendingForEmail(p.email.toLowerCase())).map(toInvitation);
  }

  private async pendingFor(p: Principal, id: string): Promise<InvitationRow> {
    const r = await this.invitations.pending(id);
    if (!r || !p.email || r.email !== p.email.toLowerCase() || r.expires_at <= this.now())
      throw notFound(`invitation ${id}`, 'list your invitations with GET /api/organizations/invitations');
    return r;
  }

  /** Accepts an invitation addressed to the caller. */
  async accept(p: Principal, id: string): Promise<Invitation> {
    const r = await this.pendingFor(p, id);
    await this.join(r, p.userId);
    return { ...toInvitation(r), status: 'accepted' };
  }

  async decline(p: Principal, id: string): Promise<Invitation> {
    const r = await this.pendingFor(p, id);
    await this.invitations.setStatus(id, 'declined', this.now());
    return { ...toInvitation(r), status: 'declined' };
  }

  /**
   * Accepts with the one-time token alone: finds or creates the invitee's user
   * (with a personal organization) and returns a first API key for the
   * inviting organization, holding what the invited role holds.
   */
  async acceptWithToken(
    token: string,
    name?: string,
    /** Where the request came from, for the audit entry (there is no principal before the token is checked). */
    _source?: Principal['source'],
  ): Promise<{ invitation: Invitation; userId: string; apiKey: string }> {
    const r = token.length <= 200 ? await this.invitations.pendingByTokenHash(sha256Hex(token)) : undefined;
    if (!r || r.expires_at <= this.now())
      throw new AppError('not_found', 'invitation not found, used or expired', { hint: 'ask for a new invitation' });
    const now = this.now();
    let user = await this.users.byEmail(r.email);
    if (!user) {
      const userId = newId();
      const personal = newId();
      await this.d.store.transaction(async (trx) => {
        await this.users.insert(
          {
            id: userId,
            email: r.email,
            name: (name ?? r.email.split('@')[0] ?? r.email).slice(0, 200),
            system_admin: false,
            created_at: now,
          },
          trx,
        );
        await new OrganizationRepo(this.d.store).insert(
          { id: personal, name: 'Personal', personal: true, created_at: now, updated_at: now },
          trx,
        );
        await this.memberships.insert(
          { organization_id: personal, user_id: userId, role: 'owner', created_at: now },
          trx,
        );
      });
      user = (await this.users.get(userId))!;
    }
    await this.join(r, user.id);
    const role = isRole(r.role) ? r.role : 'member';
    const key = await this.d.keys.create({
      organizationId: r.organization_id,
      userId: user.id,
      name: `invitation-${now}`,
      permissions: [...ROLE_PERMISSIONS[role]],
    });
    return { invitation: { ...toInvitation(r), status: 'accepted' }, userId: user.id, apiKey: key.value };
  }

  private async join(r: InvitationRow, userId: string): Promise<void> {
    const now = this.now();
    await this.d.store.transaction(async (trx) => {
      if (!(await this.invitations.markAccepted(r.id, now, trx)))
        throw new AppError('conflict', 'this invitation was just used', { hint: 'ask for a new invitation' });
      if (!(await this.memberships.get(r.organization_id, userId, trx)))
        await this.memberships.insert(
          { organization_id: r.organization_id, user_id: userId, role: r.role, created_at: now },
          trx,
        );
    });
  }

  /** Marks expired invitations (so lists stay honest). */
  private async expire(): Promise<void> {
    await this.invitations.cancelExpired(this.now());
  }
}

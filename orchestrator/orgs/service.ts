// Organizations and their members. Every method acts on the principal's
// organization (an edge that names an organization in its path authenticates
// with it, so the caller's role there is what counts); an organization the
// caller is not a member of is "not found", never "forbidden".
import { AppError, notFound } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Bus } from '../bus/index.js';
import type { Store } from '../store/db.js';
import type { OrganizationRow } from '../store/rows.js';
import { ApiKeyRepo } from '../keys/repo.js';
import { MembershipRepo } from './memberships-repo.js';
import { OrganizationRepo } from './organizations-repo.js';
import { SandboxRepo } from '../sandboxes/repo.js';
import { VolumeRepo } from '../volumes/repo.js';
import { SnapshotRepo } from '../snapshots/repo.js';
import type { Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';
import { isRole, type Role } from '../keys/permissions.js';
import { KEY_CHANGED, KEY_REVOKED, type KeyRevokedEvent } from '../keys/service.js';

export interface Organization {
  id: string;
  name: string;
  personal: boolean;
  /** The caller's role in it ('none' when a Berth administrator lists organizations they are not in). */
  role: Role | 'none';
  createdAt: Date;
  updatedAt: Date;
}

export interface Member {
  userId: string;
  organizationId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export interface OrgServiceDeps {
  store: Store;
  clock: Clock;
  bus: Bus;
  /** Most organizations one user may own (each brings its own quotas). */
  maxOwnedOrganizations: number;
  /** Told at once when keys change what they may do (role change, removal); other replicas hear it on the bus. */
  credentialsChanged?: (ev: KeyRevokedEvent) => void;
}

const NAME_RE = /^\S(.{0,98}\S)?$/;

export class OrgService {
  private readonly orgs: OrganizationRepo;
  private readonly memberships: MembershipRepo;
  private readonly keys: ApiKeyRepo;

  constructor(private readonly d: OrgServiceDeps) {
    this.orgs = new OrganizationRepo(d.store);
    this.memberships = new MembershipRepo(d.store);
    this.keys = new ApiKeyRepo(d.store);
  }

  private now(): number {
    return this.d.clock.now().getTime();
  }

  /** The caller's organizations; a Berth administrator may ask for every organization (to manage quotas). */
  async list(p: Principal, opts: { all?: boolean } = {}): Promise<Organization[]> {
    if (opts.all) {
      if (!p.systemAdmin)
        throw new AppError('forbidden', 'only Berth administrators list every organization', {
          hint: 'omit ?all=true to list yours',
        });
      requirePermission(p, 'manage:organization');
      const mine = new Map((await this.list(p)).map((o) => [o.id, o.role]));
      return (await this.orgs.all()).map((r) => this.toOrg(r, mine.get(r.id) ?? 'none'));
    }
    return (await this.orgs.ofUser(p.userId)).map((r) => this.toOrg(r, r.role));
  }

  /** Whether the caller may look at `organizationId` (a member, or a Berth administrator). */
  async visible(p: Principal, organizationId: string): Promise<boolean> {
    if (organizationId === p.organizationId || p.systemAdmin) return this.orgs.exists(organizationId);
    return !!(await this.memberships.get(organizationId, p.userId));
  }

  private toOrg(r: OrganizationRow, role: string): Organization {
    return {
      id: r.id,
      name: r.name,
      personal: r.personal,
      role: isRole(role) || role === 'none' ? role : 'member',
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
    };
  }

  /** The principal's organization. */
  async get(p: Principal): Promise<Organization> {
    const o = await this.orgs.get(p.organizationId);
    if (!o) throw notFound(`organization ${p.organizationId}`, 'list your organizations with GET /api/organizations');
    return this.toOrg(o, p.role);
  }

  /** Creates an organization owned by the caller. */
  async create(p: Principal, name: string): Promise<Organization> {
    requirePermission(p, 'manage:organization');
    if (!NAME_RE.test(name))
      throw new AppError(
        'invalid_argument',
        'organization names are 1-100 characters without leading or trailing spaces',
        { hint: 'e.g. "Platform team"' },
      );
    const owned = await this.memberships.countOwnedBy(p.userId);
    if (this.d.maxOwnedOrganizations >= 0 && owned >= this.d.maxOwnedOrganizations) {
      throw new AppError(
        'quota_exceeded',
        `you already own ${owned} organizations (the limit is ${this.d.maxOwnedOrganizations})`,
        {
          hint: 'delete an organization you no longer need, or ask the operator to raise BERTH_MAX_ORGANIZATIONS_PER_USER',
          details: { quota: 'organizations', used: owned, limit: this.d.maxOwnedOrganizations },
        },
      );
    }
    const id = newId();
    const now = this.now();
    await this.d.store.transaction(async (trx) => {
      await this.orgs.insert({ id, name, personal: false, created_at: now, updated_at: now }, trx);
      await this.memberships.insert({ organization_id: id, user_id: p.userId, role: 'owner', created_at: now }, trx);
    });
    return { id, name, personal: false, role: 'owner', createdAt: new Date(now), updatedAt: new Date(now) };
  }

  /** Deletes the principal's organization: owners only, never a personal one, and only once it holds nothing. */
  async remove(p: Principal): Promise<void> {
    requirePermission(p, 'manage:organization');
    if (p.role !== 'owner')
      throw new AppError('forbidden', 'only owners delete an organization', { hint: 'ask an owner' });
    const o = await this.get(p);
    if (o.personal)
      throw new AppError('failed_precondition', 'a personal organization cannot be deleted', {
        hint: 'it is where your own keys live',
      });
    const left = [];
    const held = {
      sandboxes: await new SandboxRepo(this.d.store).countIn(o.id),
      volumes: await new VolumeRepo(this.d.store).count(o.id),
    };
    for (const [what, n] of Object.entries(held)) if (n) left.push(`${n} ${what}`);
    if (left.length)
      throw new AppError('failed_precondition', `organization ${o.name} still holds ${left.join(' and ')}`, {
        hint: 'delete them first',
      });
    await this.d.store.transaction(async (trx) => {
      await this.keys.revokeAllOf(o.id, this.now(), trx);
      await this.memberships.removeAllOf(o.id, trx);
      await new SnapshotRepo(this.d.store).removeAllOf(o.id, trx);
      await this.orgs.remove(o.id, trx);
    });
    this.d.credentialsChanged?.({ organizationId: o.id });
    await this.d.bus.publish(KEY_REVOKED, { organizationId: o.id } satisfies KeyRevokedEvent).catch(() => {});
  }

  async members(p: Principal): Promise<Member[]> {
    return (await this.memberships.withUsers(p.organizationId)).map((r) => ({
      userId: r.user_id,
      organizationId: r.organization_id,
      email: r.email,
      name: r.name,
      role: isRole(r.role) ? r.role : 'member',
      createdAt: new Date(r.created_at),
    }));
  }

  /** Owners and admins manage members; admins never touch owners. */
  requireManager(p: Principal, targetRole?: Role): void {
    requirePermission(p, 'manage:organization');
    if (p.role === 'member')
      throw new AppError('forbidden', 'only owners and admins manage members', {
        hint: 'ask an owner or admin of this organization',
      });
    if (targetRole === 'owner' && p.role !== 'owner')
      throw new AppError('forbidden', 'only owners add, change or remove owners', { hint: 'ask an owner' });
  }

  private async member(p: Principal, userId: string) {
    const m = await this.memberships.get(p.organizationId, userId);
    if (!m) throw notFound(`member ${userId}`, 'list members with GET /api/organizations/{id}/users');
    return m;
  }

  private async ownerCount(organizationId: string): Promise<number> {
    return this.memberships.countOwners(organizationId);
  }

  async setRole(p: Principal, userId: string, role: string): Promise<Member> {
    if (!isRole(role))
      throw new AppError('invalid_argument', `unknown role ${role}`, { hint: 'owner, admin or member' });
    const m = await this.member(p, userId);
    this.requireManager(p, m.role === 'owner' ? 'owner' : role);
    if (m.role === 'owner' && role !== 'owner' && (await this.ownerCount(p.organizationId)) <= 1) {
      throw new AppError('failed_precondition', 'an organization keeps at least one owner', {
        hint: 'make someone else owner first',
      });
    }
    await this.memberships.setRole(p.organizationId, userId, role);
    // Keys are narrowed to the role at use time: remembered keys of this member must be checked again.
    this.d.credentialsChanged?.({ userId, organizationId: p.organizationId });
    const changed: KeyRevokedEvent = { userId, organizationId: p.organizationId };
    await this.d.bus.publish(KEY_CHANGED, changed).catch(() => {});
    return (await this.members(p)).find((x) => x.userId === userId)!;
  }

  /** Removes a member (or the caller leaves); their keys stop working in this organization at once. */
  async removeMember(p: Principal, userId: string): Promise<void> {
    const m = await this.member(p, userId);
    if (userId !== p.userId) this.requireManager(p, m.role === 'owner' ? 'owner' : undefined);
    const o = await this.get(p);
    if (o.personal && m.role === 'owner')
      throw new AppError('failed_precondition', 'the owner of a personal organization cannot leave it', {
        hint: 'personal organizations belong to one user',
      });
    if (m.role === 'owner' && (await this.ownerCount(p.organizationId)) <= 1)
      throw new AppError('failed_precondition', 'an organization keeps at least one owner', {
        hint: 'make someone else owner first',
      });
    await this.d.store.transaction(async (trx) => {
      await this.memberships.remove(p.organizationId, userId, trx);
      await this.keys.revokeMember(p.organizationId, userId, this.now(), trx);
    });
    this.d.credentialsChanged?.({ userId, organizationId: p.organizationId });
    await this.d.bus
      .publish(KEY_REVOKED, { userId, organizationId: p.organizationId } satisfies KeyRevokedEvent)
      .catch(() => {});
  }
}

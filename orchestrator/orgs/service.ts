// Organizations and their members. Every method acts on the principal's
// organization (an edge that names an organization in its path authenticates
// with it, so the caller's role there is what counts); an organization the
// caller is not a member of is "not found", never "forbidden".
import { AppError, notFound } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Bus } from '../bus/index.js';
import type { Store } from '../store/db.js';
import { decodeMembership } from '../store/rows.js';
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
  constructor(private readonly d: OrgServiceDeps) {}

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
      const all = await this.d.store.knex('organizations').orderBy('created_at');
      return all.map((r: Record<string, unknown>) => this.toOrg(r, mine.get(String(r.id)) ?? 'none'));
    }
    const rows = await this.d.store
      .knex('memberships as m')
      .join('organizations as o', 'o.id', 'm.organization_id')
      .where('m.user_id', p.userId)
      .orderBy('o.created_at')
      .select('o.*', 'm.role');
    return rows.map((r: Record<string, unknown>) => this.toOrg(r, r.role as string));
  }

  /** Whether the caller may look at `organizationId` (a member, or a Berth administrator). */
  async visible(p: Principal, organizationId: string): Promise<boolean> {
    if (organizationId === p.organizationId || p.systemAdmin)
      return !!(await this.d.store.knex('organizations').where({ id: organizationId }).first());
    return !!(await this.d.store
      .knex('memberships')
      .where({ organization_id: organizationId, user_id: p.userId })
      .first());
  }

  private toOrg(r: Record<string, unknown>, role: string): Organization {
    return {
      id: String(r.id),
      name: String(r.name),
      personal: !!r.personal,
      role: isRole(role) || role === 'none' ? role : 'member',
      createdAt: new Date(Number(r.created_at)),
      updatedAt: new Date(Number(r.updated_at)),
    };
  }

  /** The principal's organization. */
  async get(p: Principal): Promise<Organization> {
    const o = (await this.d.store.knex('organizations').where({ id: p.organizationId }).first()) as
      Record<string, unknown> | undefined;
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
    const owned = Number(
      (
        (await this.d.store
          .knex('memberships')
          .where({ user_id: p.userId, role: 'owner' })
          .count({ n: '*' })
          .first()) as { n: number | string } | undefined
      )?.n ?? 0,
    );
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
    await this.d.store.knex.transaction(async (trx) => {
      await trx('organizations').insert({
        id,
        name,
        personal: false,
        created_at: now,
        updated_at: now,
      });
      await trx('memberships').insert({
        organization_id: id,
        user_id: p.userId,
        role: 'owner',
        created_at: now,
      });
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
    await this.d.store.knex.transaction(async (trx) => {
      await trx('api_keys').where('organization_id', o.id).update({ revoked_at: this.now() });
      await trx('memberships').where('organization_id', o.id).delete();
      await new SnapshotRepo(this.d.store).removeAllOf(o.id, trx);
      await trx('organizations').where('id', o.id).delete();
    });
    this.d.credentialsChanged?.({ organizationId: o.id });
    await this.d.bus.publish(KEY_REVOKED, { organizationId: o.id } satisfies KeyRevokedEvent).catch(() => {});
  }

  async members(p: Principal): Promise<Member[]> {
    const rows = await this.d.store
      .knex('memberships as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where('m.organization_id', p.organizationId)
      .orderBy('m.created_at')
      .select('m.*', 'u.email', 'u.name');
    return rows.map((r: Record<string, unknown>) => ({
      userId: String(r.user_id),
      organizationId: String(r.organization_id),
      email: String(r.email),
      name: String(r.name),
      role: isRole(String(r.role)) ? (r.role as Role) : 'member',
      createdAt: new Date(Number(r.created_at)),
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
    const m = decodeMembership(
      await this.d.store.knex('memberships').where({ organization_id: p.organizationId, user_id: userId }).first(),
    );
    if (!m) throw notFound(`member ${userId}`, 'list members with GET /api/organizations/{id}/users');
    return m;
  }

  private async ownerCount(organizationId: string): Promise<number> {
    return Number(
      (
        (await this.d.store
          .knex('memberships')
          .where({ organization_id: organizationId, role: 'owner' })
          .count({ n: '*' })
          .first()) as { n: number | string } | undefined
      )?.n ?? 0,
    );
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
    await this.d.store
      .knex('memberships')
      .where({ organization_id: p.organizationId, user_id: userId })
      .update({ role });
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
    await this.d.store.knex.transaction(async (trx) => {
      await trx('memberships').where({ organization_id: p.organizationId, user_id: userId }).delete();
      await trx('api_keys')
        .where({ organization_id: p.organizationId, user_id: userId })
        .whereNull('revoked_at')
        .update({ revoked_at: this.now() });
    });
    this.d.credentialsChanged?.({ userId, organizationId: p.organizationId });
    await this.d.bus
      .publish(KEY_REVOKED, { userId, organizationId: p.organizationId } satisfies KeyRevokedEvent)
      .catch(() => {});
  }
}

// API keys: stored as SHA-256 hashes, looked up by a short prefix and compared
// in constant time. The plain key is returned once, at creation. A verified
// key is remembered in memory (by its hash) for at most a second: revocations
// reach every replica on the bus and drop it at once, and the age cap bounds
// anything the bus could miss (a Redis reconnect) or that sends no event (a
// role change). Long-lived connections hear about revocations and end.
import { AppError, notFound } from '../../common/errors.js';
import { apiKeyPrefix, newApiKey, newId, safeEqualHex, sha256Hex } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Bus } from '../bus/index.js';
import type { Store } from '../store/db.js';
import type { Principal } from '../principal.js';
import { requirePermission } from './require.js';
import type { ApiKeyRow } from '../store/rows.js';
import { MembershipRepo } from '../orgs/memberships-repo.js';
import { UserRepo } from '../orgs/users-repo.js';
import { ApiKeyRepo } from './repo.js';
import { isPermission, isRole, ROLE_PERMISSIONS, type Role } from './permissions.js';

/** last_used_at is written at most this often per key. */
const USE_WRITE_MS = 60_000;
/** A verified key is trusted from memory this long at most: a revocation holds within it on every replica. */
const VERIFIED_TTL_MS = 1_000;
const VERIFIED_MAX = 10_000;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._:@-]{0,99}$/;

/** Published when a key stops working before its time (revoked, or its owner left the organization). */
export const KEY_REVOKED = 'auth.key.revoked';
/** Published when what a key may do changes (its owner's role): remembered keys are checked again; connections stay. */
export const KEY_CHANGED = 'auth.key.changed';
export interface KeyRevokedEvent {
  keyId?: string;
  userId?: string;
  organizationId: string;
}

/** Whether a connection opened by `p` must end because of `ev`: its key revoked, its user removed, or its organization deleted. */
export function revokedMatches(
  ev: KeyRevokedEvent,
  p: Pick<Principal, 'keyId' | 'userId' | 'organizationId'>,
): boolean {
  if (ev.keyId) return p.keyId === ev.keyId;
  if (ev.userId) return p.userId === ev.userId && p.organizationId === ev.organizationId;
  return p.organizationId === ev.organizationId;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  /** The first characters of the key, enough to recognise it. */
  prefix: string;
  userId: string;
  organizationId: string;
  permissions: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

const info = (k: ApiKeyRow): ApiKeyInfo => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  userId: k.user_id,
  organizationId: k.organization_id,
  permissions: k.permissions,
  createdAt: new Date(Number(k.created_at)),
  lastUsedAt: k.last_used_at ? new Date(Number(k.last_used_at)) : null,
  expiresAt: k.expires_at ? new Date(Number(k.expires_at)) : null,
});

export interface CreateKeyInput {
  name: string;
  permissions: string[];
  expiresAt?: Date | null;
}

export class KeyService {
  private readonly lastUse = new Map<string, number>();
  /** Verified keys by hash and requested organization; `at` is monotonic time (a cache age, not business time). */
  private readonly verified = new Map<string, { p: Principal; at: number }>();
  private readonly keys: ApiKeyRepo;
  private readonly memberships: MembershipRepo;
  private readonly users: UserRepo;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly bus?: Bus,
  ) {
    this.keys = new ApiKeyRepo(store);
    this.memberships = new MembershipRepo(store);
    this.users = new UserRepo(store);
    for (const topic of [KEY_REVOKED, KEY_CHANGED]) bus?.subscribe(topic, (ev) => this.forget(ev as KeyRevokedEvent));
  }

  /** Drops remembered keys that `ev` revokes or changes. */
  forget(ev: KeyRevokedEvent): void {
    for (const [k, v] of this.verified) if (revokedMatches(ev, v.p)) this.verified.delete(k);
  }

  /** Stores a key as given (bootstrap and tests); `createFor` is the checked use case. */
  async create(o: {
    organizationId: string;
    userId: string;
    name: string;
    permissions: string[];
    expiresAt?: Date | null;
    value?: string;
  }): Promise<{ id: string; value: string }> {
    const value = o.value ?? newApiKey();
    const id = newId();
    await this.keys.insert({
      id,
      organization_id: o.organizationId,
      user_id: o.userId,
      name: o.name,
      prefix: apiKeyPrefix(value),
      key_hash: sha256Hex(value),
      permissions: o.permissions,
      expires_at: o.expiresAt ? o.expiresAt.getTime() : null,
      last_used_at: null,
      revoked_at: null,
      created_at: this.clock.now().getTime(),
    });
    return { id, value };
  }

  /** Creates a key for the caller in the caller's organization; it never holds more than the caller does. */
  async createFor(p: Principal, input: CreateKeyInput): Promise<ApiKeyInfo & { value: string }> {
    if (!NAME_RE.test(input.name))
      throw new AppError('invalid_argument', 'key names are 1-100 letters, digits, spaces and . _ : @ -', {
        hint: 'e.g. "ci-runner"',
      });
    const unknown = input.permissions.filter((x) => !isPermission(x));
    if (unknown.length)
      throw new AppError('invalid_argument', `unknown permission(s): ${unknown.join(', ')}`, {
        hint: 'permissions are e.g. write:sandboxes, delete:sandboxes, read:volumes, read:audit_logs; an empty list makes a read-only key',
      });
    const beyond = input.permissions.filter((x) => !p.permissions.includes(x));
    if (beyond.length) {
      throw new AppError('forbidden', `a key cannot grant more than its creator holds: you lack ${beyond.join(', ')}`, {
        hint: 'ask for a subset of your own permissions, or have an owner create the key',
        details: { missing: beyond },
      });
    }
    const now = this.clock.now().getTime();
    if (input.expiresAt && input.expiresAt.getTime() <= now)
      throw new AppError('invalid_argument', 'expiresAt is in the past', {
        hint: 'send a future ISO-8601 time, or omit it for a key that does not expire',
      });
    if (await this.keys.activeByName(p.organizationId, p.userId, input.name)) {
      throw new AppError('conflict', `you already have a key named ${input.name}`, {
        hint: 'pick another name, or revoke the existing key first',
      });
    }
    const permissions = [...new Set(input.permissions)];
    const { id, value } = await this.create({
      organizationId: p.organizationId,
      userId: p.userId,
      name: input.name,
      permissions,
      expiresAt: input.expiresAt ?? null,
    });
    const row = await this.byId(id);
    return { ...info(row!), value };
  }

  private async byId(id: string): Promise<ApiKeyRow | undefined> {
    return this.keys.get(id);
  }

  private async membership(organizationId: string, userId: string) {
    return this.memberships.get(organizationId, userId);
  }

  /** The caller's keys in this organization; owners and admins may ask for every member's. */
  async list(p: Principal, opts: { all?: boolean } = {}): Promise<ApiKeyInfo[]> {
    if (opts.all && p.role === 'member')
      throw new AppError('forbidden', "only owners and admins see other members' keys", {
        hint: 'list your own keys without ?all=true',
      });
    const rows = await this.keys.listActive(p.organizationId, opts.all ? undefined : p.userId);
    const now = this.clock.now().getTime();
    return rows.filter((k) => !k.expires_at || k.expires_at > now || opts.all).map(info);
  }

  async get(p: Principal, name: string): Promise<ApiKeyInfo> {
    const k = await this.keys.activeByName(p.organizationId, p.userId, name);
    if (!k) throw notFound(`API key ${name}`, 'list your keys with GET /api/api-keys');
    return info(k);
  }

  async current(p: Principal): Promise<ApiKeyInfo> {
    const k = p.keyId ? await this.byId(p.keyId) : undefined;
    if (!k) throw notFound('API key of this request', 'this credential is not an API key');
    return info(k);
  }

  /** Revokes one of the caller's keys by name (owners and admins: any member's, with `userId`). */
  async revoke(p: Principal, name: string, userId = p.userId): Promise<ApiKeyInfo> {
    if (userId !== p.userId) {
      // Another member's key: organization management, which a key must hold as a permission too.
      requirePermission(p, 'manage:organization');
      if (p.role === 'member')
        throw new AppError('forbidden', "only owners and admins revoke other members' keys", {
          hint: 'revoke your own keys with DELETE /api/api-keys/{name}',
        });
      const target = await this.membership(p.organizationId, userId);
      if (!target) throw notFound(`member ${userId}`, 'list members with GET /api/organizations/{id}/users');
      if (target.role === 'owner' && p.role !== 'owner')
        throw new AppError('forbidden', "admins cannot revoke an owner's keys", { hint: 'ask an owner' });
    }
    const k = await this.keys.activeByName(p.organizationId, userId, name);
    if (!k) throw notFound(`API key ${name}`, 'list keys with GET /api/api-keys');
    await this.keys.revoke(k.id, this.clock.now().getTime());
    this.forget({ keyId: k.id, organizationId: k.organization_id });
    await this.bus
      ?.publish(KEY_REVOKED, { keyId: k.id, organizationId: k.organization_id } satisfies KeyRevokedEvent)
      .catch(() => {});
    return info(k);
  }

  /**
   * Returns the principal of a valid key acting in `organizationId` (default:
   * the key's own organization), or null for an unknown, revoked or expired
   * key. An organization the key's user is not a member of is `not_found`.
   */
  async authenticate(token: string, organizationId?: string): Promise<Principal | null> {
    if (!token || token.length < 16 || token.length > 512) return null;
    const hash = sha256Hex(token);
    const now = this.clock.now().getTime();
    const cacheKey = `${hash}:${organizationId ?? ''}`;
    const hit = this.verified.get(cacheKey);
    if (hit && performance.now() - hit.at < VERIFIED_TTL_MS && (!hit.p.expiresAt || hit.p.expiresAt > now)) {
      void this.noteUse(hit.p.keyId!, now);
      return { ...hit.p };
    }
    this.verified.delete(cacheKey);
    const p = await this.verify(token, hash, organizationId);
    if (p) {
      if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(cacheKey, { p: { ...p }, at: performance.now() });
    }
    return p;
  }

  private async noteUse(keyId: string, now: number): Promise<void> {
    if ((this.lastUse.get(keyId) ?? 0) + USE_WRITE_MS > now) return;
    this.lastUse.set(keyId, now);
    await this.keys.noteUse(keyId, now).catch(() => {});
  }

  private async verify(token: string, hash: string, organizationId?: string): Promise<Principal | null> {
    const candidates = await this.keys.withPrefix(apiKeyPrefix(token));
    return this.principalOf(
      candidates.find((k) => safeEqualHex(String(k.key_hash), hash)),
      organizationId,
    );
  }

  /** `authenticate` for a key known by id (a web session acts as the key it was made from). */
  async authenticateId(keyId: string, organizationId?: string): Promise<Principal | null> {
    return this.principalOf(await this.byId(keyId), organizationId);
  }

  private async principalOf(key: ApiKeyRow | undefined, organizationId?: string): Promise<Principal | null> {
    const now = this.clock.now().getTime();
    if (!key || key.revoked_at || (key.expires_at && key.expires_at <= now)) return null;
    const org = organizationId || key.organization_id;
    const m = await this.membership(org, key.user_id);
    if (!m) {
      if (org === key.organization_id) return null; // the key's owner left its organization
      throw notFound(
        `organization ${org}`,
        "list your organizations with GET /api/organizations; omit X-Daytona-Organization-ID to use the key's own",
      );
    }
    const user = await this.users.get(key.user_id);
    await this.noteUse(key.id, now);
    const role: Role = isRole(m.role) ? m.role : 'member';
    const held = ROLE_PERMISSIONS[role];
    return {
      organizationId: org,
      userId: key.user_id,
      keyId: key.id,
      permissions: key.permissions.filter((x) => (held as readonly string[]).includes(x)),
      role,
      systemAdmin: !!user?.system_admin,
      email: user?.email,
      expiresAt: key.expires_at ?? null,
    };
  }

  /** Whether key `keyId` still works in `organizationId` (not revoked or expired; its user still a member). */
  async stillValid(keyId: string, organizationId: string): Promise<boolean> {
    const key = await this.byId(keyId);
    if (!key || key.revoked_at || (key.expires_at && key.expires_at <= this.clock.now().getTime())) return false;
    return !!(await this.membership(organizationId, key.user_id));
  }

  async exists(value: string): Promise<boolean> {
    return this.keys.existsWithHash(sha256Hex(value));
  }

  /** Marks a key made at first start: it holds every permission this version knows. */
  async markBootstrap(id: string): Promise<void> {
    await this.keys.markBootstrap(id);
  }

  /** Gives the first-start keys the permissions an upgrade added, so the admin key keeps working with all of them. */
  async widenBootstrapKeys(permissions: readonly string[]): Promise<void> {
    for (const k of await this.keys.activeBootstrap()) {
      if (permissions.every((x) => k.permissions.includes(x))) continue;
      await this.keys.setPermissions(k.id, [...new Set([...k.permissions, ...permissions])]);
    }
  }
}

export const requireToken = (token: string | undefined): string => {
  if (!token)
    throw new AppError('unauthorized', 'missing API key', {
      hint: 'send `Authorization: Bearer <api key>`; `berth up` printed one and stored it in the CLI config',
    });
  return token;
};

// API keys: stored as SHA-256 hashes, looked up by a short prefix and compared
// in constant time. The plain key is returned once, at creation.
import { AppError } from '../../common/errors.js';
import { apiKeyPrefix, newApiKey, newId, safeEqualHex, sha256Hex } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Store } from '../store/db.js';
import type { Principal } from '../principal.js';

/** last_used_at is written at most this often per key. */
const USE_WRITE_MS = 60_000;

export class KeyService {
  private readonly lastUse = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async create(o: { organizationId: string; userId: string; name: string; permissions: string[]; expiresAt?: Date | null; value?: string }): Promise<{ id: string; value: string }> {
    const value = o.value ?? newApiKey();
    const id = newId();
    await this.store.ApiKey.query().insert({
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

  /** Returns the principal of a valid key, or null (unknown, revoked, expired). */
  async authenticate(token: string): Promise<Principal | null> {
    if (!token || token.length < 16 || token.length > 512) return null;
    const hash = sha256Hex(token);
    const now = this.clock.now().getTime();
    const candidates = await this.store.ApiKey.query().where('prefix', apiKeyPrefix(token));
    const key = candidates.find((k) => safeEqualHex(k.key_hash, hash));
    if (!key || key.revoked_at || (key.expires_at && key.expires_at <= now)) return null;
    const m = await this.store.Membership.query().findById([key.organization_id, key.user_id]);
    if (!m) return null; // the key's owner left the organization
    const user = await this.store.User.query().findById(key.user_id);
    if ((this.lastUse.get(key.id) ?? 0) + USE_WRITE_MS <= now) {
      this.lastUse.set(key.id, now);
      await this.store.ApiKey.query().patch({ last_used_at: now }).where({ id: key.id }).catch(() => {});
    }
    return {
      organizationId: key.organization_id,
      userId: key.user_id,
      keyId: key.id,
      permissions: key.permissions,
      role: (m.role as Principal['role']) ?? 'member',
      systemAdmin: !!user?.system_admin,
    };
  }

  async exists(value: string): Promise<boolean> {
    return !!(await this.store.ApiKey.query().where('key_hash', sha256Hex(value)).first());
  }
}

export const requireToken = (token: string | undefined): string => {
  if (!token) throw new AppError('unauthorized', 'missing API key', { hint: 'send `Authorization: Bearer <api key>`; `berth up` printed one and stored it in the CLI config' });
  return token;
};

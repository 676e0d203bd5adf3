// SSH access tokens (Daytona's /sandbox/{id}/ssh-access): a token opens one
// sandbox's shell to whoever holds it, until it expires or is revoked. The
// token is the SSH user name (`ssh -p 2222 <token>@host`), so it is made of
// characters every SSH client takes there and never starts with `-`. Only
// its SHA-256 is stored; the plain token is in the create answer only.
import { randomBytes } from 'node:crypto';
import { AppError, notFound } from '../../common/errors.js';
import { newId, sha256Hex } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import type { Bus } from '../bus/index.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { Store } from '../store/db.js';
import { SshAccessRepo, type SshAccessRow } from './access-repo.js';

/** Published when tokens stop working early (revoked), so open sessions end. */
export const SSH_ACCESS_REVOKED = 'ssh.access.revoked';
export interface SshAccessRevokedEvent {
  sandboxId: string;
  accessIds: string[];
}

export const SSH_ACCESS_DEFAULT_MINUTES = 60;
export const SSH_ACCESS_MAX_MINUTES = 7 * 24 * 60;

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_LENGTH = 32; // 36^32 ≈ 2^165
/** What a token looks like: lower-case letters and digits only (no `-`, `@` or `:` to trip up `user@host`). */
export const SSH_TOKEN_RE = /^[a-z0-9]{32}$/;

function newToken(): string {
  let out = '';
  while (out.length < TOKEN_LENGTH) {
    for (const b of randomBytes(TOKEN_LENGTH * 2)) {
      if (b < 256 - (256 % TOKEN_ALPHABET.length)) out += TOKEN_ALPHABET[b % TOKEN_ALPHABET.length];
      if (out.length === TOKEN_LENGTH) break;
    }
  }
  return out;
}

/** Where the gateway listens, once it does; null while SSH is off. */
export interface SshEndpoint {
  port: number;
  hostKeyFingerprint: string;
  /** `ssh-ed25519 AAAA…`, for a known_hosts line (the CLI checks the server with it). */
  hostKey: string;
}

export interface SshAccess {
  id: string;
  sandboxId: string;
  token: string;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  sshCommand: string;
}

/** A valid token, as the gateway's login needs it. */
export interface ResolvedToken {
  accessId: string;
  sandboxId: string;
  organizationId: string;
  userId: string;
}

export interface SshAccessDeps {
  store: Store;
  clock: Clock;
  bus: Bus;
  config: Config;
  sandboxes: SandboxService;
  endpoint: () => SshEndpoint | null;
}

export class SshAccessService {
  private readonly access: SshAccessRepo;

  constructor(private readonly d: SshAccessDeps) {
    this.access = new SshAccessRepo(d.store);
  }

  /** The host people type after `@`: BERTH_SSH_HOST, else the host of BERTH_PUBLIC_URL. */
  host(): string {
    return this.d.config.sshHost || new URL(this.d.config.publicUrl).hostname.replace(/^\[|\]$/g, '');
  }

  /** Makes a token for the sandbox (needs write:sandboxes: it runs code there). */
  async create(p: Principal, idOrName: string, expiresInMinutes = SSH_ACCESS_DEFAULT_MINUTES): Promise<SshAccess> {
    if (!Number.isInteger(expiresInMinutes) || expiresInMinutes < 1 || expiresInMinutes > SSH_ACCESS_MAX_MINUTES) {
      throw new AppError(
        'invalid_argument',
        `expiresInMinutes must be a whole number from 1 to ${SSH_ACCESS_MAX_MINUTES}`,
        { hint: `the default is ${SSH_ACCESS_DEFAULT_MINUTES} minutes; at most 7 days` },
      );
    }
    const s = await this.d.sandboxes.get(p, idOrName);
    requirePermission(p, 'write:sandboxes');
    if (p.sandboxId)
      throw new AppError('forbidden', 'a preview token cannot hand out SSH access', {
        hint: 'create SSH access with an API key',
      });
    const endpoint = this.d.endpoint();
    if (!endpoint)
      throw new AppError('failed_precondition', 'SSH is off on this server', {
        hint: 'start the server with BERTH_SSH_PORT set to a port (default 2222), then ask again',
        reason: 'SSH_DISABLED',
      });
    const token = newToken();
    const now = this.d.clock.now().getTime();
    const row: SshAccessRow = {
      id: newId(),
      sandbox_id: s.id,
      organization_id: s.organizationId,
      user_id: p.userId,
      token_hash: sha256Hex(token),
      expires_at: now + expiresInMinutes * 60_000,
      created_at: now,
      updated_at: now,
    };
    await this.access.insert(row);
    // Expired tokens of this sandbox are of no use to anyone: drop them while here.
    await this.access.removeExpired(s.id, now);
    return {
      id: row.id,
      sandboxId: s.id,
      token,
      expiresAt: new Date(row.expires_at),
      createdAt: new Date(now),
      updatedAt: new Date(now),
      sshCommand: `ssh -p ${endpoint.port} ${token}@${this.host()}`,
    };
  }

  /** Revokes one token of the sandbox, or all of them without `token`; open sessions end. Returns how many. */
  async revoke(p: Principal, idOrName: string, token?: string): Promise<number> {
    const s = await this.d.sandboxes.get(p, idOrName);
    requirePermission(p, 'write:sandboxes');
    const ids = await this.access.idsOf(s.id, token === undefined ? undefined : sha256Hex(token));
    if (token !== undefined && !ids.length)
      throw notFound(
        'SSH access token for this sandbox',
        'pass the token returned by POST /api/sandbox/{id}/ssh-access, or omit ?token= to revoke all',
      );
    if (ids.length) {
      await this.access.remove(ids);
      await this.d.bus
        .publish(SSH_ACCESS_REVOKED, { sandboxId: s.id, accessIds: ids } satisfies SshAccessRevokedEvent)
        .catch(() => {});
    }
    return ids.length;
  }

  /** Whether `token` is a live token of a sandbox in the caller's organization. */
  async validate(p: Principal, token: string): Promise<{ valid: boolean; sandboxId: string }> {
    const r = await this.resolve(token);
    if (!r || r.organizationId !== p.organizationId || (p.sandboxId && p.sandboxId !== r.sandboxId))
      return { valid: false, sandboxId: '' };
    return { valid: true, sandboxId: r.sandboxId };
  }

  /** The live token `token` is, or null (unknown, revoked or expired). */
  async resolve(token: string): Promise<ResolvedToken | null> {
    if (!SSH_TOKEN_RE.test(token)) return null;
    const r = await this.access.byTokenHash(sha256Hex(token));
    if (!r || r.expires_at <= this.d.clock.now().getTime()) return null;
    return { accessId: r.id, sandboxId: r.sandbox_id, organizationId: r.organization_id, userId: r.user_id };
  }
}

// Preview links to sandbox ports, signed (expiring) preview URLs, and the
// per-sandbox signing key of pre-signed file URLs. Links are
// `{proto}://{port}-{sandboxId}.{domain}:{port}`; the preview proxy checks the
// sandbox's preview token (or a signed token in place of the id) with the
// verify methods below. Secrets are per sandbox and go with it on delete.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, notFound } from '../../common/errors.js';
import { sha256Hex } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { Store } from '../store/db.js';
import { PreviewLinks } from './links.js';
import { SandboxAccessRepo, type AccessRow } from './access-repo.js';
import { SignedPreviewRepo } from './signed-previews-repo.js';

export interface PreviewServiceDeps {
  store: Store;
  sandboxes: SandboxService;
  clock: Clock;
  config: Config;
}

const ALPHANUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALPHANUM_MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' + ALPHANUM;
/** Unbiased random string over `alphabet` (tokens must be DNS labels, keys are Daytona-like). */
function randomString(n: number, alphabet: string): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
      if (out.length === n) break;
    }
  }
  return out;
}

export const SIGNED_PREVIEW_MAX_SECONDS = 24 * 3600;

export class PreviewService {
  constructor(private readonly d: PreviewServiceDeps) {
    this.links = new PreviewLinks(d.config);
    this.secrets = new SandboxAccessRepo(d.store);
    this.signed = new SignedPreviewRepo(d.store);
  }

  readonly links: PreviewLinks;
  private readonly secrets: SandboxAccessRepo;
  private readonly signed: SignedPreviewRepo;

  private url(port: number, label: string): string {
    return this.links.url(port, label);
  }

  private static port(port: number): number {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new AppError('invalid_argument', `port ${port} is not a TCP port`, { hint: 'use 1-65535' });
    return port;
  }

  /** The sandbox's secrets, created on first use. */
  private async access(sandboxId: string, organizationId: string): Promise<AccessRow> {
    const found = await this.secrets.get(sandboxId);
    if (found) return found;
    const now = this.d.clock.now().getTime();
    const row: AccessRow = {
      sandbox_id: sandboxId,
      organization_id: organizationId,
      preview_token: randomString(32, ALPHANUM),
      signing_key: randomString(32, ALPHANUM_MIXED),
      created_at: now,
      updated_at: now,
    };
    await this.secrets.insertIfAbsent(row);
    return (await this.secrets.get(sandboxId))!;
  }

  async previewLink(
    p: Principal,
    idOrName: string,
    port: number,
  ): Promise<{ sandboxId: string; url: string; token: string }> {
    const s = await this.d.sandboxes.get(p, idOrName);
    // The token also opens the sandbox's toolbox (browser runtimes of the SDK): handing it out is a write.
    requirePermission(p, 'write:sandboxes');
    const a = await this.access(s.id, s.organizationId);
    return { sandboxId: s.id, url: this.url(PreviewService.port(port), s.id), token: a.preview_token };
  }

  async signedPreviewUrl(
    p: Principal,
    idOrName: string,
    port: number,
    expiresInSeconds = 60,
  ): Promise<{ sandboxId: string; port: number; token: string; url: string }> {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > SIGNED_PREVIEW_MAX_SECONDS) {
      throw new AppError(
        'invalid_argument',
        `expiresInSeconds must be a whole number from 1 to ${SIGNED_PREVIEW_MAX_SECONDS}`,
        { hint: 'the default is 60 seconds; at most 24 hours' },
      );
    }
    const s = await this.d.sandboxes.get(p, idOrName);
    PreviewService.port(port);
    const token = randomString(32, ALPHANUM);
    const now = this.d.clock.now().getTime();
    await this.signed.insert({
      token_hash: sha256Hex(token),
      sandbox_id: s.id,
      organization_id: s.organizationId,
      port,
      expires_at: now + expiresInSeconds * 1000,
      created_at: now,
    });
    // Drop long-expired tokens of this sandbox while we are here.
    await this.signed.removeExpired(s.id, now - 3600_000);
    return { sandboxId: s.id, port, token, url: this.url(port, token) };
  }

  async expireSignedPreviewUrl(p: Principal, idOrName: string, port: number, token: string): Promise<void> {
    const s = await this.d.sandboxes.get(p, idOrName);
    const found = await this.signed.expire(
      sha256Hex(token),
      s.id,
      PreviewService.port(port),
      this.d.clock.now().getTime() - 1,
    );
    if (!found)
      throw notFound('signed preview URL', 'pass the token returned with the URL, for the same sandbox and port');
  }

  async signingKey(p: Principal, idOrName: string): Promise<string> {
    const s = await this.d.sandboxes.get(p, idOrName);
    return (await this.access(s.id, s.organizationId)).signing_key;
  }

  /** A new key: every URL signed with the old one stops working. */
  async rotateSigningKey(p: Principal, idOrName: string): Promise<string> {
    const s = await this.d.sandboxes.get(p, idOrName);
    await this.access(s.id, s.organizationId);
    const key = randomString(32, ALPHANUM_MIXED);
    await this.secrets.setSigningKey(s.id, key, this.d.clock.now().getTime());
    return key;
  }

  // --- for the preview proxy and the toolbox (no principal: the token is the credential) ---

  /** Whether `token` is the preview token of the sandbox. */
  async verifyPreviewToken(sandboxId: string, token: string): Promise<boolean> {
    return (await this.previewTokenOrganization(sandboxId, token)) !== null;
  }

  /** The organization of the sandbox whose preview token `token` is, or null. */
  async previewTokenOrganization(sandboxId: string, token: string): Promise<string | null> {
    const a = await this.secrets.get(sandboxId);
    return a && safeEqual(a.preview_token, token) ? a.organization_id : null;
  }

  /** The sandbox and port a signed preview token opens, while it is valid. */
  async resolveSignedPreview(
    token: string,
  ): Promise<{ sandboxId: string; organizationId: string; port: number; expiresAt: number } | null> {
    return this.signedByHash(sha256Hex(token));
  }

  /** Like resolveSignedPreview, by the token's SHA-256 (what a preview cookie remembers). */
  async signedByHash(
    tokenHash: string,
  ): Promise<{ sandboxId: string; organizationId: string; port: number; expiresAt: number } | null> {
    const r = await this.signed.byTokenHash(tokenHash);
    if (!r || r.expires_at <= this.d.clock.now().getTime()) return null;
    return { sandboxId: r.sandbox_id, organizationId: r.organization_id, port: r.port, expiresAt: r.expires_at };
  }

  /**
   * Checks a pre-signed file URL (SDK `downloadUrl`/`uploadUrl`): `v1_` +
   * base64url(HMAC-SHA256(signing key, "v1:files:METHOD:path:expires")); expires 0 never expires.
   */
  async verifyFileSignature(
    sandboxId: string,
    method: 'GET' | 'POST',
    path: string,
    expires: string,
    signature: string,
  ): Promise<boolean> {
    if (!/^\d{1,12}$/.test(expires)) return false;
    if (expires !== '0' && Number(expires) * 1000 <= this.d.clock.now().getTime()) return false;
    const a = await this.secrets.get(sandboxId);
    if (!a) return false;
    return safeEqual(fileSignature(a.signing_key, method, path, expires), signature);
  }
}

export function fileSignature(key: string, method: string, path: string, expires: string): string {
  return 'v1_' + createHmac('sha256', key).update(`v1:files:${method}:${path}:${expires}`).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

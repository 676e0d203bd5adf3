// Who may open a sandbox port through the preview proxy, decided once per
// request: the preview token, a signed URL, an API key, the preview cookie
// (checked in memory), or nothing for a public sandbox. Failed credentials
// count against the failed-authentication limit like the API's; every refusal
// of a sandbox the caller may not see is the same 404.
import { createHmac } from 'node:crypto';
import { AppError, notFound } from '../../common/errors.js';
import { sha256Hex } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Bus } from '../bus/index.js';
import { KEY_REVOKED } from '../keys/service.js';
import { requirePermission } from '../keys/require.js';
import { sandboxTokenPrincipal, type Principal } from '../principal.js';
import { SANDBOX_EVENTS, type Sandbox, type SandboxEvent } from '../sandboxes/model.js';
import { PREVIEW_COOKIE_SECONDS, PreviewCookies, type CookieCredential, type PreviewCookie } from './cookie.js';
import type { PreviewService } from './service.js';
import type { RequestSource } from '../index.js';

/** Signed preview tokens stand where the sandbox id would (32 lower-case letters and digits). */
const SIGNED_RE = /^[a-z0-9]{32}$/;
const SANDBOX_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Sandbox lookups are reused this long (state changes evict them at once on this replica). */
const SANDBOX_CACHE_MS = 1_000;
/** A cookie's credential (key, signed URL) is re-checked in the store at most this often. */
const CREDENTIAL_RECHECK_MS = 2_000;

/** The credentials a preview request carried (the gateway strips each before forwarding). */
export interface PreviewCredentials {
  /** X-Daytona-Preview-Token, or DAYTONA_SANDBOX_AUTH_KEY in the query. */
  previewToken?: string;
  /** A Bearer token: a Berth API key, or the app's own. */
  bearer?: string;
  /** The preview cookie's value. */
  cookie?: string;
}

export interface PreviewGrant {
  sandbox: Sandbox;
  port: number;
  /** Opens the tunnel and starts the sandbox; limited to this sandbox unless it is the caller's key. */
  principal: Principal;
  via: 'key' | 'token' | 'signed' | 'cookie' | 'public';
  /** The Bearer token was a Berth key: it must not reach the app. */
  stripBearer: boolean;
  /** The API key behind this access (directly or through the cookie), so open connections end when it is revoked. */
  keyId?: string;
  /** A cookie to set, so a browser keeps access (host-only, HttpOnly, SameSite=Lax). */
  cookie?: { value: string; maxAgeSeconds: number };
}

export interface PreviewGateDeps {
  preview: PreviewService;
  sandboxById: (id: string) => Promise<Sandbox | null>;
  keys: {
    stillValid(keyId: string, organizationId: string): Promise<boolean>;
    exists(value: string): Promise<boolean>;
  };
  authenticate: (token: string, source: RequestSource) => Promise<Principal>;
  /** Checks a credential under the failed-authentication limit (see Orchestrator.admit). */
  admit: (source: RequestSource, find: () => Promise<Principal | null>, refusal: AppError) => Promise<Principal>;
  startForRequest: (p: Principal, id: string, waitMs: number) => Promise<Sandbox>;
  touch: (s: Sandbox) => Promise<void>;
  bus: Bus;
  clock: Clock;
  /** Secret the cookies are signed with (shared by every replica). */
  secret: Buffer;
}

const hidden = () =>
  notFound('sandbox preview', 'check the URL; get a working one with GET /api/sandbox/{id}/ports/{port}/preview-url');

export class PreviewGate {
  private readonly cookies: PreviewCookies;
  private readonly sandboxes = new Map<string, { s: Sandbox | null; until: number }>();
  private readonly credentials = new Map<string, { ok: boolean; until: number }>();
  private readonly offs: (() => void)[];

  constructor(private readonly d: PreviewGateDeps) {
    this.cookies = new PreviewCookies(createHmac('sha256', d.secret).update('berth preview cookie v1').digest());
    const evict = (raw: unknown) => {
      const id = (raw as SandboxEvent)?.sandbox?.id;
      if (id) this.sandboxes.delete(id);
    };
    this.offs = [
      ...Object.values(SANDBOX_EVENTS).map((name) => d.bus.subscribe(name, evict)),
      // A revoked key (or removed member) ends its cookies on the next request.
      d.bus.subscribe(KEY_REVOKED, () => this.credentials.clear()),
    ];
  }

  close(): void {
    for (const off of this.offs) off();
  }

  private now(): number {
    return this.d.clock.now().getTime();
  }

  private async sandbox(id: string): Promise<Sandbox | null> {
    const hit = this.sandboxes.get(id);
    if (hit && hit.until > this.now()) return hit.s;
    const s = await this.d.sandboxById(id);
    if (this.sandboxes.size > 10_000) this.sandboxes.clear();
    this.sandboxes.set(id, { s, until: this.now() + SANDBOX_CACHE_MS });
    return s;
  }

  /** Decides whether the request may reach `port` of the sandbox (or signed token) named by `label`. */
  async admit(label: string, port: number, creds: PreviewCredentials, source: RequestSource): Promise<PreviewGrant> {
    if (SIGNED_RE.test(label)) return this.signed(label, port, source);
    if (!SANDBOX_ID_RE.test(label)) throw hidden();
    const s = await this.sandbox(label);
    if (!s) {
      if (creds.previewToken || creds.bearer) await this.d.admit(source, async () => null, hidden());
      throw hidden();
    }
    const limited = () => ({ ...sandboxTokenPrincipal(s.organizationId, s.id), source });
    if (creds.previewToken) {
      const token = creds.previewToken;
      const p = await this.d.admit(
        source,
        async () =>
          (await this.d.preview.previewTokenOrganization(s.id, token)) === s.organizationId ? limited() : null,
        hidden(),
      );
      return {
        sandbox: s,
        port,
        principal: p,
        via: 'token',
        stripBearer: await this.isKey(creds.bearer),
        cookie: this.cookie(s, port, 'token', ''),
      };
    }
    const fromCookie = creds.cookie ? await this.fromCookie(creds.cookie, s, port) : null;
    const opened = !!fromCookie;
    const berthLike = !!creds.bearer && creds.bearer.startsWith('berth_');
    if (creds.bearer && (berthLike || (!opened && !s.public))) {
      let p: Principal;
      try {
        p = await this.d.authenticate(creds.bearer, { ...source, organizationId: s.organizationId });
      } catch (e) {
        if (e instanceof AppError && (e.code === 'unauthorized' || e.code === 'not_found')) {
          // A preview token sent as a key is a common slip: say where it goes (this reveals nothing about the token).
          if (SIGNED_RE.test(creds.bearer))
            throw notFound(
              'sandbox preview',
              'a preview token goes in the X-Daytona-Preview-Token header (or ?DAYTONA_SANDBOX_AUTH_KEY=), not in Authorization',
            );
          throw hidden();
        }
        throw e;
      }
      requirePermission(p, 'write:sandboxes');
      const until = p.expiresAt ? Math.floor(p.expiresAt / 1000) : undefined;
      return {
        sandbox: s,
        port,
        principal: p,
        via: 'key',
        stripBearer: true,
        keyId: p.keyId ?? undefined,
        cookie: this.cookie(s, port, 'key', p.keyId ?? '', until),
      };
    }
    if (opened || s.public) {
      return {
        sandbox: s,
        port,
        principal: limited(),
        via: opened ? 'cookie' : 'public',
        stripBearer: await this.isKey(creds.bearer),
        keyId: fromCookie?.via === 'key' ? fromCookie.ref : undefined,
      };
    }
    throw new AppError('unauthorized', `sandbox ${s.id} is private: its previews need a credential`, {
      reason: 'PREVIEW_AUTH_REQUIRED',
      hint: 'open the signed URL from GET /api/sandbox/{id}/ports/{port}/signed-preview-url, or send X-Daytona-Preview-Token (GET …/preview-url) or Authorization: Bearer <api key>',
    });
  }

  private async signed(token: string, port: number, source: RequestSource): Promise<PreviewGrant> {
    let found: Awaited<ReturnType<PreviewService['resolveSignedPreview']>> = null;
    const p = await this.d.admit(
      source,
      async () => {
        found = await this.d.preview.resolveSignedPreview(token);
        // A signed URL opens its own port only.
        return found && found.port === port
          ? { ...sandboxTokenPrincipal(found.organizationId, found.sandboxId), source }
          : null;
      },
      hidden(),
    );
    const s = await this.sandbox(p.sandboxId!);
    if (!s || !found) throw hidden();
    const expiresAt: number = (found as { expiresAt: number }).expiresAt;
    return {
      sandbox: s,
      port,
      principal: p,
      via: 'signed',
      stripBearer: false,
      cookie: this.cookie(s, port, 'signed', sha256Hex(token), Math.floor(expiresAt / 1000)),
    };
  }

  private cookie(
    s: Sandbox,
    port: number,
    via: CookieCredential,
    ref: string,
    until?: number,
  ): { value: string; maxAgeSeconds: number } {
    const now = Math.floor(this.now() / 1000);
    const expires = Math.min(now + PREVIEW_COOKIE_SECONDS, until ?? Infinity);
    return {
      value: this.cookies.seal({ sandboxId: s.id, port, organizationId: s.organizationId, expires, via, ref }),
      maxAgeSeconds: Math.max(1, expires - now),
    };
  }

  /** The cookie, when it opens this sandbox's port and the credential it came from still works. */
  private async fromCookie(value: string, s: Sandbox, port: number): Promise<PreviewCookie | null> {
    const c = this.cookies.open(value, this.now());
    if (!c || c.sandboxId !== s.id || c.port !== port || c.organizationId !== s.organizationId) return null;
    return (await this.stillValid(c)) ? c : null;
  }

  private async stillValid(c: PreviewCookie): Promise<boolean> {
    if (c.via === 'token') return true; // the preview token lives as long as its sandbox
    const k = `${c.via}:${c.ref}:${c.organizationId}`;
    const hit = this.credentials.get(k);
    if (hit && hit.until > this.now()) return hit.ok;
    const ok =
      c.via === 'key'
        ? await this.d.keys.stillValid(c.ref, c.organizationId)
        : (await this.d.preview.signedByHash(c.ref))?.sandboxId === c.sandboxId;
    if (this.credentials.size > 10_000) this.credentials.clear();
    this.credentials.set(k, { ok, until: this.now() + CREDENTIAL_RECHECK_MS });
    return ok;
  }

  /** Whether a Bearer token sent along with other access is a Berth key (then it is stripped). */
  private async isKey(bearer: string | undefined): Promise<boolean> {
    if (!bearer) return false;
    return bearer.startsWith('berth_') || this.d.keys.exists(bearer);
  }

  /** Marks the sandbox active (at most one store write per few seconds). */
  touch(g: PreviewGrant): void {
    void this.d.touch(g.sandbox).catch(() => {});
  }

  /** Starts a stopped or archived sandbox when it allows that, waiting up to `waitMs` (0: at once). */
  async wake(g: PreviewGrant, waitMs: number): Promise<Sandbox> {
    this.sandboxes.delete(g.sandbox.id);
    const s = await this.d.startForRequest(g.principal, g.sandbox.id, waitMs);
    this.sandboxes.delete(g.sandbox.id);
    return s;
  }
}

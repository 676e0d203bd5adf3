// Bearer-token (or web UI session cookie) authentication for API and toolbox routes. The edge only
// extracts the key, the address and the organization header; the
// orchestrator checks the key, membership, permissions and rate limits.
import type Koa from 'koa';
import { AppError } from '../common/errors.js';
import type { Ctx, HttpDeps, State } from './context.js';
import { setRateLimitHeaders } from './rate-limit.js';
import { checkCookieRequest, sessionToken } from './session.js';

export const ORGANIZATION_HEADER = 'x-daytona-organization-id';

export function bearer(ctx: Pick<Ctx, 'get'>): string | undefined {
  const h = ctx.get('authorization');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** Where browser-like SDK runtimes put a sandbox's preview token (compat spec §4.1, §6.2). */
export const SANDBOX_TOKEN_QUERY = 'DAYTONA_SANDBOX_AUTH_KEY';
export const SANDBOX_TOKEN_HEADER = 'x-daytona-preview-token';

/** The preview token a toolbox request carries instead of an API key, if any. */
export function sandboxToken(header: string | string[] | undefined, query: URLSearchParams): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  return h || query.get(SANDBOX_TOKEN_QUERY) || undefined;
}

export interface AuthOptions {
  /** The organization a route acts in when its path names one (e.g. /organizations/:id/…). */
  organization?: (ctx: Ctx) => string | undefined;
  /** The sandbox a toolbox route acts on: its preview token is accepted there instead of an API key. */
  sandbox?: (ctx: Ctx) => string | undefined;
}

/** Routes a pre-signed file URL opens (compat spec §4.12): method and toolbox path. */
const SIGNED_FILE_ROUTES: Record<string, 'GET' | 'POST'> = {
  'GET /files/download': 'GET',
  'HEAD /files/download': 'GET',
  'POST /files/upload-v2': 'POST',
};

export function requireAuth(d: HttpDeps, o: AuthOptions = {}): Koa.Middleware<State> {
  return async (ctx, next) => {
    const token = bearer(ctx as Ctx);
    const sandboxId = o.sandbox?.(ctx as Ctx);
    const q = new URLSearchParams(ctx.querystring);
    const signed =
      sandboxId && !token && q.has('signature')
        ? SIGNED_FILE_ROUTES[`${ctx.method} ${ctx.path.slice(`/toolbox/${sandboxId}`.length)}`]
        : undefined;
    if (sandboxId && signed) {
      const p = await d.orch.authenticateFileUrl(
        sandboxId,
        signed,
        q.get('path') ?? '',
        q.get('expires') ?? '',
        q.get('signature') ?? '',
        { ip: ctx.ip, frontend: 'toolbox', requestId: ctx.state.requestId },
      );
      ctx.state.principal = p;
      return next();
    }
    const previewToken =
      !token && sandboxId
        ? sandboxToken(ctx.get(SANDBOX_TOKEN_HEADER) || undefined, new URLSearchParams(ctx.querystring))
        : undefined;
    if (sandboxId && previewToken) {
      const p = await d.orch.authenticateSandboxToken(sandboxId, previewToken, {
        ip: ctx.state.clientIp,
        frontend: 'toolbox',
        requestId: ctx.state.requestId,
      });
      ctx.state.principal = p;
      setRateLimitHeaders(ctx, p.rateLimit);
      return next();
    }
    const session = token ? undefined : sessionToken(ctx.get('cookie'));
    if (session) {
      checkCookieRequest(ctx.method, ctx.headers, d.config);
      const p = await d.orch.authenticateSession(session, {
        ip: ctx.state.clientIp,
        frontend: 'webui',
        requestId: ctx.state.requestId,
        organizationId: o.organization?.(ctx as Ctx) ?? (ctx.get(ORGANIZATION_HEADER) || undefined),
      });
      ctx.state.principal = p;
      setRateLimitHeaders(ctx, p.rateLimit);
      return next();
    }
    // Requests without a key were counted as anonymous by the app (http/rate-limit.ts).
    if (!token)
      throw new AppError('unauthorized', 'missing API key', { hint: 'send `Authorization: Bearer <api key>`' });
    const p = await d.orch.authenticate(token, {
      ip: ctx.state.clientIp,
      frontend: ctx.state.toolbox ? 'toolbox' : 'rest',
      requestId: ctx.state.requestId,
      organizationId: o.organization?.(ctx as Ctx) ?? (ctx.get(ORGANIZATION_HEADER) || undefined),
    });
    ctx.state.principal = p;
    setRateLimitHeaders(ctx, p.rateLimit);
    await next();
  };
}

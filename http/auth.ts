// Bearer-token authentication for API and toolbox routes. The edge only
// extracts the key, the address and the organization header; the
// orchestrator checks the key, membership, permissions and rate limits.
import type Koa from 'koa';
import { AppError } from '../common/errors.js';
import type { Ctx, HttpDeps, State } from './context.js';
import { setRateLimitHeaders } from './rate-limit.js';

export const ORGANIZATION_HEADER = 'x-daytona-organization-id';

export function bearer(ctx: Pick<Ctx, 'get'>): string | undefined {
  const h = ctx.get('authorization');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export interface AuthOptions {
  /** The organization a route acts in when its path names one (e.g. /organizations/:id/…). */
  organization?: (ctx: Ctx) => string | undefined;
}

export function requireAuth(d: HttpDeps, o: AuthOptions = {}): Koa.Middleware<State> {
  return async (ctx, next) => {
    const token = bearer(ctx as Ctx);
    // Requests without a key were counted as anonymous by the app (http/rate-limit.ts).
    if (!token) throw new AppError('unauthorized', 'missing API key', { hint: 'send `Authorization: Bearer <api key>`' });
    const p = await d.orch.authenticate(token, {
      ip: ctx.ip,
      frontend: ctx.state.toolbox ? 'toolbox' : 'rest',
      requestId: ctx.state.requestId,
      organizationId: o.organization?.(ctx as Ctx) ?? (ctx.get(ORGANIZATION_HEADER) || undefined),
    });
    ctx.state.principal = p;
    setRateLimitHeaders(ctx, p.rateLimit);
    await next();
  };
}

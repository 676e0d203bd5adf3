// Rate limits at the HTTP edge: requests without credentials are counted per
// address before routing (the orchestrator counts keyed requests when it
// authenticates them), and budgets become X-RateLimit-* headers; a 429
// carries Retry-After.
import type Koa from 'koa';
import type { AppError } from '../common/errors.js';
import type { Ctx, HttpDeps, State } from './context.js';
import { bearer } from './auth.js';
import { sessionToken } from './session.js';

export function setRateLimitHeaders(
  ctx: Pick<Koa.Context, 'set'>,
  b: { limit: number; remaining: number; resetSeconds: number } | undefined,
): void {
  if (!b) return;
  ctx.set('x-ratelimit-limit', String(b.limit));
  ctx.set('x-ratelimit-remaining', String(b.remaining));
  ctx.set('x-ratelimit-reset', String(b.resetSeconds));
}

/** Headers of a 429 answer. */
export function rateLimitedHeaders(e: AppError): Record<string, string> {
  const d = e.details as { limit?: number; retryAfterSeconds?: number } | undefined;
  if (!d?.retryAfterSeconds) return {};
  return {
    'retry-after': String(d.retryAfterSeconds),
    'x-ratelimit-limit': String(d.limit ?? ''),
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(d.retryAfterSeconds),
  };
}

/**
 * Counts requests that carry no credentials against the anonymous limit of
 * their address. A request with a bearer token that no route checked (a
 * public route) is anonymous too: it is counted once answered, and over the
 * limit its answer becomes the 429, so a made-up token is no way around it.
 */
export function anonymousLimit(d: HttpDeps): Koa.Middleware<State> {
  return async (ctx, next) => {
    const source = { ip: ctx.state.clientIp, frontend: 'rest', requestId: ctx.state.requestId };
    // A session cookie is a credential like a bearer token (its route checks it).
    if (!bearer(ctx as Ctx) && !sessionToken(ctx.get('cookie'))) {
      await d.orch.admitAnonymous(source);
      return next();
    }
    await next();
    if (!ctx.state.principal && !ctx.state.credentialed) await d.orch.admitAnonymous(source);
  };
}

// Bearer-token authentication for API and toolbox routes.
import type Koa from 'koa';
import type { Ctx, HttpDeps, State } from './context.js';

export function bearer(ctx: Ctx): string | undefined {
  const h = ctx.get('authorization');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export function requireAuth(d: HttpDeps): Koa.Middleware<State> {
  return async (ctx, next) => {
    ctx.state.principal = await d.orch.authenticate(bearer(ctx as Ctx));
    ctx.state.principal.source = { ip: ctx.ip, frontend: ctx.state.toolbox ? 'toolbox' : 'rest', requestId: ctx.state.requestId };
    await next();
  };
}

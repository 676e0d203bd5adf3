// HTTP metrics: requests and their latency by method, route pattern (the
// router's, e.g. /api/sandbox/:idOrName — never the raw path, so ids
// do not make a series each) and status. Requests answered outside the
// routers name their route in ctx.state.route (MCP, the web UI); the rest
// are `unmatched`.
import type Koa from 'koa';
import type { Layer } from '@koa/router';
import { secondsSince, type Metrics } from '../common/metrics.js';
import type { State } from './context.js';

/** The route label of the web UI's pages and assets. */
export const WEBUI_ROUTE = 'webui';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The pattern of the route that answered (the last matched layer with this method). */
function routeOf(ctx: Koa.ParameterizedContext<State>): string {
  const layers = ((ctx as { matched?: Layer[] }).matched ?? []).filter((l) => l.methods.includes(ctx.method));
  return layers.length ? String(layers[layers.length - 1]!.path) : (ctx.state.route ?? 'unmatched');
}

export function httpMetrics(m: Metrics): Koa.Middleware<State> {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = m.counter('berth_http_requests_total', 'HTTP requests by method, route pattern, status', labelNames);
  const duration = m.histogram(
    'berth_http_request_duration_seconds',
    'Time to answer an HTTP request (to its headers, for streamed answers)',
    labelNames,
  );
  return async (ctx, next) => {
    const t0 = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const method = METHODS.has(ctx.method) ? ctx.method : 'other';
      const labels = { method, route: routeOf(ctx), status: String(ctx.res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, secondsSince(t0));
    }
  };
}

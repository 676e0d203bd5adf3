// GET /metrics: the server's Prometheus metrics, for a scraper holding
// BERTH_METRICS_TOKEN or a Berth administrator's key (docs/operations.md).
import { bearer } from '../auth.js';
import { route, type RouteTable } from '../route.js';

export function registerMetrics(t: RouteTable): void {
  const own =
    "BERTH_METRICS_TOKEN or a Berth administrator's API key, as `Authorization: Bearer …` (docs/operations.md)";
  route(
    t,
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['server'],
      auth: { own },
      responses: { 200: 'Prometheus text format' },
    },
    async (ctx) => {
      const source = { ip: ctx.state.clientIp, frontend: 'metrics', requestId: ctx.state.requestId };
      await t.d.orch.authorizeMetrics(bearer(ctx), source);
      ctx.state.credentialed = true;
      const { contentType, text } = await t.d.orch.metrics.scrape();
      ctx.type = contentType;
      ctx.set('cache-control', 'no-store');
      ctx.body = text;
    },
  );
}

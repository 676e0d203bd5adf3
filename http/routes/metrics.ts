// GET /metrics: the server's Prometheus metrics, for a scraper holding
// BERTH_METRICS_TOKEN or a Berth administrator's key (docs/operations.md).
import { bearer } from '../auth.js';
import type { ApiRouter, HttpDeps } from '../context.js';

export function registerMetrics(router: ApiRouter, d: HttpDeps): void {
  router.get('/metrics', async (ctx) => {
    const source = { ip: ctx.state.clientIp, frontend: 'metrics', requestId: ctx.state.requestId };
    await d.orch.authorizeMetrics(bearer(ctx), source);
    ctx.state.credentialed = true;
    const { contentType, text } = await d.orch.metrics.scrape();
    ctx.type = contentType;
    ctx.set('cache-control', 'no-store');
    ctx.body = text;
  });
}

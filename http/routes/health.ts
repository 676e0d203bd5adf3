// GET /api/health — no auth: store, bus and Docker engine status.
import { BERTH_VERSION } from '../../common/version.js';
import type { ApiRouter, HttpDeps } from '../context.js';

export function registerHealth(router: ApiRouter, d: HttpDeps): void {
  router.get('/health', async (ctx) => {
    const h = await d.orch.health();
    ctx.status = h.status === 'ok' ? 200 : 503;
    ctx.body = { ...h, version: BERTH_VERSION };
  });
}

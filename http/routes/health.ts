// GET /api/health — no auth: store, bus and Docker engine status; `mode: api-only` on a replica without
// an engine (BERTH_LOCAL_RUNNER=false), whose engine is then reported ok with `kind: none`.
import { BERTH_VERSION } from '../../common/version.js';
import { route, type RouteTable } from '../route.js';

export function registerHealth(t: RouteTable): void {
  route(
    t,
    {
      method: 'get',
      path: '/health',
      summary: 'Store, bus and Docker engine status (mode api-only: no engine here, BERTH_LOCAL_RUNNER=false)',
      tags: ['server'],
      auth: 'none',
      responses: { 200: 'All ok', 503: 'Something is down (the body says what)' },
    },
    async (ctx) => {
      const h = await t.d.orch.health();
      ctx.status = h.status === 'ok' ? 200 : 503;
      ctx.body = { ...h, version: BERTH_VERSION };
    },
  );
}

// Daytona snapshot routes (compat spec §3.9): registered images by id or name.
import { AppError } from '../../common/errors.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';
import { snapshotDto } from '../dto.js';
import { queryBool, queryNumber, queryString } from '../parse.js';
import { streamBuildLog } from './build-logs.js';

export function registerSnapshots(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const svc = () => d.orch.snapshots;
  const dto = (s: Parameters<typeof snapshotDto>[0]) => {
    const c = d.config;
    const lim = d.orch.sandboxes.limits();
    return snapshotDto(s, { cpu: Math.min(c.defaultCpu, lim.maxCpu), memory: Math.min(c.defaultMemoryGiB, lim.maxMemoryGiB), disk: Math.min(c.defaultDiskGiB, lim.maxDiskGiB) });
  };

  router.get('/snapshots', auth, async (ctx) => {
    const order = queryString(ctx, 'order');
    if (order !== undefined && order !== 'asc' && order !== 'desc') throw new AppError('invalid_argument', 'order must be asc or desc');
    const r = await svc().list(principal(ctx), {
      page: queryNumber(ctx, 'page', { min: 1, int: true }),
      limit: queryNumber(ctx, 'limit', { min: 1, max: 200, int: true }),
      name: queryString(ctx, 'name') || undefined,
      sourceSandboxId: queryString(ctx, 'sourceSandboxId') || undefined,
      sort: queryString(ctx, 'sort') as never,
      order,
    });
    ctx.body = { items: r.items.map(dto), total: r.total, page: r.page, totalPages: r.totalPages };
  });

  router.post('/snapshots', auth, async (ctx) => {
    ctx.body = dto(await svc().create(principal(ctx), (ctx.request as unknown as { body?: unknown }).body));
  });

  router.get('/snapshots/:id/build-logs-url', auth, async (ctx) => {
    const s = await d.orch.buildLogs.ofSnapshot(principal(ctx), ctx.params.id!);
    ctx.body = { url: `${d.config.publicUrl}/api/snapshots/${encodeURIComponent(s.snapshotId)}/build-logs` };
  });
  router.get('/snapshots/:id/build-logs', auth, async (ctx) => {
    const s = await d.orch.buildLogs.ofSnapshot(principal(ctx), ctx.params.id!);
    streamBuildLog(ctx, d, s.buildId, queryBool(ctx, 'follow') ?? false);
  });

  router.get('/snapshots/:idOrName', auth, async (ctx) => {
    ctx.body = dto(await svc().get(principal(ctx), ctx.params.idOrName!));
  });

  router.delete('/snapshots/:id', auth, async (ctx) => {
    await svc().remove(principal(ctx), ctx.params.id!);
    ctx.status = 204;
  });

  // Berth's own: started sandboxes kept ready for this snapshot ({size: n}, or null for the default).
  router.put('/snapshots/:id/warm-pool', auth, async (ctx) => {
    const size = (ctx.request as unknown as { body?: unknown }).body;
    ctx.body = dto(await svc().setWarmPool(principal(ctx), ctx.params.id!, size));
  });

  router.post('/snapshots/:id/activate', auth, async (ctx) => {
    ctx.body = dto(await svc().setActive(principal(ctx), ctx.params.id!, true));
  });
  router.post('/snapshots/:id/deactivate', auth, async (ctx) => {
    await svc().setActive(principal(ctx), ctx.params.id!, false);
    ctx.status = 204;
  });
}

// The rest of Daytona's per-sandbox control API (compat spec §3.5–3.8):
// resize and network settings, pause, snapshot and fork, telemetry history,
// build logs. SSH access is in ssh-access.ts.
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { METRICS } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../context.js';
import { sandboxDto } from '../dto.js';
import { body, pathInt, queryBool, queryList, queryNumber, queryString } from '../parse.js';
import { streamBuildLog } from './build-logs.js';

const Resize = z.object({ cpu: z.number().optional(), memory: z.number().optional(), disk: z.number().optional(), gpu: z.number().optional() }).strict();
const Network = z.object({ networkBlockAll: z.boolean().optional(), networkAllowList: z.string().optional(), domainAllowList: z.string().optional() }).strict();
const SnapshotBody = z.object({ name: z.string().max(255).optional(), includeMemory: z.boolean().optional() }).strict();
const ForkBody = z.object({ name: z.string().max(63).optional() }).strict();

export function registerSandboxExtras(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const dto = (s: Parameters<typeof sandboxDto>[0]) => sandboxDto(s, d.config.publicUrl);
  const range = (ctx: Ctx) => {
    const date = (n: string) => {
      const s = queryString(ctx, n);
      const t = s ? new Date(s) : undefined;
      if (t && Number.isNaN(t.getTime())) throw new AppError('invalid_argument', `${n} must be an ISO-8601 date`, { reason: 'BAD_REQUEST' });
      return t;
    };
    const to = date('to') ?? d.clock.now();
    return { from: date('from') ?? new Date(to.getTime() - 3_600_000), to };
  };

  router.post('/sandbox/:id/resize', auth, async (ctx) => {
    ctx.body = dto(await d.orch.settings.resize(principal(ctx), ctx.params.id!, body(ctx, Resize)));
  });

  router.post('/sandbox/:id/network-settings', auth, async (ctx) => {
    ctx.body = dto(await d.orch.settings.updateNetwork(principal(ctx), ctx.params.id!, body(ctx, Network)));
  });

  router.post('/sandbox/:id/pause', auth, async (ctx) => {
    ctx.body = dto(await d.orch.sandboxes.request(principal(ctx), ctx.params.id!, 'pause'));
  });
  router.post('/sandbox/:id/autopause/:minutes', auth, async (ctx) => {
    ctx.body = dto(await d.orch.sandboxes.setIntervals(principal(ctx), ctx.params.id!, { autoPause: pathInt(ctx, 'minutes', 0) }));
  });

  router.post('/sandbox/:id/snapshot', auth, async (ctx) => {
    const b = body(ctx, SnapshotBody);
    if (b.includeMemory) throw new AppError('invalid_argument', 'snapshots of memory are not supported: a snapshot holds the filesystem', { hint: 'leave includeMemory out; pause the sandbox to keep its memory' });
    ctx.body = dto((await d.orch.stateOps.snapshot(principal(ctx), ctx.params.id!, b.name)).sandbox);
  });
  router.post('/sandbox/:id/fork', auth, async (ctx) => {
    ctx.body = dto(await d.orch.stateOps.fork(principal(ctx), ctx.params.id!, body(ctx, ForkBody).name));
  });

  router.get('/sandbox/:id/telemetry/metrics', auth, async (ctx) => {
    const { from, to } = range(ctx);
    const names = queryList(ctx, 'metricNames').flatMap((n) => n.split(',')).filter(Boolean);
    ctx.body = { series: await d.orch.sandboxMetrics.series(principal(ctx), ctx.params.id!, from, to, names.length ? names : Object.keys(METRICS)) };
  });
  router.get('/sandbox/:id/telemetry/logs', auth, async (ctx) => {
    const { from, to } = range(ctx);
    const severities = queryList(ctx, 'severities').flatMap((n) => n.split(',')).filter(Boolean);
    ctx.body = await d.orch.sandboxMetrics.logs(principal(ctx), ctx.params.id!, { from, to, page: queryNumber(ctx, 'page', { min: 1, int: true }) ?? 1, limit: queryNumber(ctx, 'limit', { min: 1, max: 1000, int: true }) ?? 100, search: queryString(ctx, 'search') || undefined, severities });
  });
  // Berth collects no traces (sandboxes export none to it): the history is honestly empty.
  router.get('/sandbox/:id/telemetry/traces', auth, async (ctx) => {
    await d.orch.sandboxes.get(principal(ctx), ctx.params.id!);
    range(ctx);
    ctx.body = { items: [], total: 0, page: queryNumber(ctx, 'page', { min: 1, int: true }) ?? 1, totalPages: 0 };
  });
  router.get('/sandbox/:id/telemetry/traces/:traceId', auth, async (ctx) => {
    await d.orch.sandboxes.get(principal(ctx), ctx.params.id!);
    throw new AppError('not_found', `trace ${ctx.params.traceId} was not recorded`, { hint: 'Berth records no traces of sandboxes; send them to your own collector (otelEndpointOverride)' });
  });

  router.get('/sandbox/:id/build-logs-url', auth, async (ctx) => {
    const s = await d.orch.buildLogs.ofSandbox(principal(ctx), ctx.params.id!);
    ctx.body = { url: `${d.config.publicUrl}/api/sandbox/${encodeURIComponent(s.sandboxId)}/build-logs` };
  });
  router.get('/sandbox/:id/build-logs', auth, async (ctx) => {
    const s = await d.orch.buildLogs.ofSandbox(principal(ctx), ctx.params.id!);
    streamBuildLog(ctx, d, s.buildId, queryBool(ctx, 'follow') ?? false);
  });
}

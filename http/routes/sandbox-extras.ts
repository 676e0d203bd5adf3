// The rest of Daytona's per-sandbox control API (compat spec §3.5–3.8):
// resize and network settings, pause, snapshot and fork, telemetry history,
// build logs. SSH access is in ssh-access.ts.
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { METRICS } from '../../orchestrator/index.js';
import { principal } from '../context.js';
import { sandboxDto } from '../dto.js';
import { pathInt } from '../parse.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';
import { streamBuildLog } from './build-logs.js';

const Resize = z
  .object({
    cpu: z.number().optional(),
    memory: z.number().optional(),
    disk: z.number().optional(),
    gpu: z.number().optional(),
  })
  .strict();
const Network = z
  .object({
    networkBlockAll: z.boolean().optional(),
    networkAllowList: z.string().optional(),
    domainAllowList: z.string().optional(),
  })
  .strict();
const SnapshotBody = z.object({ name: z.string().max(255).optional(), includeMemory: z.boolean().optional() }).strict();
const ForkBody = z.object({ name: z.string().max(63).optional() }).strict();

const tags = ['sandboxes'];
const telemetry = ['sandbox telemetry'];
const range = {
  from: qs.string('ISO-8601 time (default: an hour before to)'),
  to: qs.string('ISO-8601 time (default: now)'),
};
const MetricsQuery = queryObject({
  ...range,
  metricNames: qs.list('Metric names (repeated or comma-separated); default all'),
});
const LogsQuery = queryObject({
  ...range,
  page: qs.number({ min: 1, int: true }),
  limit: qs.number({ min: 1, max: 1000, int: true }),
  search: qs.string('Only lines containing this'),
  severities: qs.list('Severities (repeated or comma-separated)'),
});
const TracesQuery = queryObject({ ...range, page: qs.number({ min: 1, int: true }) });
const Follow = queryObject({ follow: qs.bool('Keep the answer open until the build ends') });

export function registerSandboxExtras(t: RouteTable): void {
  const d = t.d;
  const dto = (s: Parameters<typeof sandboxDto>[0]) => sandboxDto(s, d.config.publicUrl);
  const span = (q: { from?: string; to?: string }) => {
    const date = (n: 'from' | 'to') => {
      const s = q[n];
      const t = s ? new Date(s) : undefined;
      if (t && Number.isNaN(t.getTime()))
        throw new AppError('invalid_argument', `${n} must be an ISO-8601 date`, { reason: 'BAD_REQUEST' });
      return t;
    };
    const to = date('to') ?? d.clock.now();
    return { from: date('from') ?? new Date(to.getTime() - 3_600_000), to };
  };
  const splitList = (l: string[]) => l.flatMap((n) => n.split(',')).filter(Boolean);

  const resize = {
    method: 'post',
    path: '/sandbox/:id/resize',
    summary: "Change a sandbox's CPU, memory or disk",
    tags,
    auth: 'key',
  } as const;
  route(t, { ...resize, body: Resize, example: { cpu: 2, memory: 2 } }, async (ctx, { body: b }) => {
    ctx.body = dto(await d.orch.settings.resize(principal(ctx), ctx.params.id!, b));
  });

  const network = {
    method: 'post',
    path: '/sandbox/:id/network-settings',
    summary: "Change a sandbox's network policy",
    tags,
    auth: 'key',
  } as const;
  route(
    t,
    { ...network, body: Network, example: { networkBlockAll: false, networkAllowList: '10.0.0.0/8' } },
    async (ctx, { body: b }) => {
      ctx.body = dto(await d.orch.settings.updateNetwork(principal(ctx), ctx.params.id!, b));
    },
  );

  route(
    t,
    { method: 'post', path: '/sandbox/:id/pause', summary: 'Pause a sandbox (its memory kept)', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = dto(await d.orch.sandboxes.request(principal(ctx), ctx.params.id!, 'pause'));
    },
  );
  const autopause = {
    method: 'post',
    path: '/sandbox/:id/autopause/:minutes',
    summary: 'Pause after this many idle minutes (0: never)',
    tags,
    auth: 'key',
  } as const;
  route(t, autopause, async (ctx) => {
    ctx.body = dto(
      await d.orch.sandboxes.setIntervals(principal(ctx), ctx.params.id!, { autoPause: pathInt(ctx, 'minutes', 0) }),
    );
  });

  const snapshot = {
    method: 'post',
    path: '/sandbox/:id/snapshot',
    summary: "Snapshot a sandbox's filesystem",
    tags,
    auth: 'key',
  } as const;
  route(t, { ...snapshot, body: SnapshotBody, example: { name: 'after-setup' } }, async (ctx, { body: b }) => {
    if (b.includeMemory)
      throw new AppError('invalid_argument', 'snapshots of memory are not supported: a snapshot holds the filesystem', {
        hint: 'leave includeMemory out; pause the sandbox to keep its memory',
      });
    ctx.body = dto((await d.orch.stateOps.snapshot(principal(ctx), ctx.params.id!, b.name)).sandbox);
  });
  const fork = {
    method: 'post',
    path: '/sandbox/:id/fork',
    summary: 'Fork a sandbox (a copy of its filesystem)',
    tags,
    auth: 'key',
  } as const;
  route(t, { ...fork, body: ForkBody, example: { name: 'copy' } }, async (ctx, { body: b }) => {
    ctx.body = dto(await d.orch.stateOps.fork(principal(ctx), ctx.params.id!, b.name));
  });

  const metrics = {
    method: 'get',
    path: '/sandbox/:id/telemetry/metrics',
    summary: 'Recorded metric series',
    tags: telemetry,
    auth: 'key',
  } as const;
  route(t, { ...metrics, query: MetricsQuery }, async (ctx, { query: q }) => {
    const { from, to } = span(q);
    const names = splitList(q.metricNames);
    ctx.body = {
      series: await d.orch.sandboxMetrics.series(
        principal(ctx),
        ctx.params.id!,
        from,
        to,
        names.length ? names : Object.keys(METRICS),
      ),
    };
  });
  const logs = {
    method: 'get',
    path: '/sandbox/:id/telemetry/logs',
    summary: 'Recorded log lines, a page at a time',
    tags: telemetry,
    auth: 'key',
  } as const;
  route(t, { ...logs, query: LogsQuery }, async (ctx, { query: q }) => {
    const { from, to } = span(q);
    const severities = splitList(q.severities);
    ctx.body = await d.orch.sandboxMetrics.logs(principal(ctx), ctx.params.id!, {
      from,
      to,
      page: q.page ?? 1,
      limit: q.limit ?? 100,
      search: q.search || undefined,
      severities,
    });
  });
  // Berth collects no traces (sandboxes export none to it): the history is honestly empty.
  const traces = {
    method: 'get',
    path: '/sandbox/:id/telemetry/traces',
    summary: 'Traces (always empty: Berth records none)',
    tags: telemetry,
    auth: 'key',
  } as const;
  route(t, { ...traces, query: TracesQuery }, async (ctx, { query: q }) => {
    await d.orch.sandboxes.get(principal(ctx), ctx.params.id!);
    span(q);
    ctx.body = { items: [], total: 0, page: q.page ?? 1, totalPages: 0 };
  });
  const trace = {
    method: 'get',
    path: '/sandbox/:id/telemetry/traces/:traceId',
    summary: 'A trace (404: Berth records none)',
    tags: telemetry,
    auth: 'key',
  } as const;
  route(t, trace, async (ctx) => {
    await d.orch.sandboxes.get(principal(ctx), ctx.params.id!);
    throw new AppError('not_found', `trace ${ctx.params.traceId} was not recorded`, {
      hint: 'Berth records no traces of sandboxes; send them to your own collector (otelEndpointOverride)',
    });
  });

  const logsUrl = { 200: z.object({ url: z.string() }) };
  const buildUrl = {
    method: 'get',
    path: '/sandbox/:id/build-logs-url',
    summary: "Where a sandbox's image build log is",
    tags,
    auth: 'key',
  } as const;
  route(t, { ...buildUrl, responses: logsUrl }, async (ctx) => {
    const s = await d.orch.buildLogs.ofSandbox(principal(ctx), ctx.params.id!);
    ctx.body = { url: `${d.config.publicUrl}/api/sandbox/${encodeURIComponent(s.sandboxId)}/build-logs` };
  });
  const build = {
    method: 'get',
    path: '/sandbox/:id/build-logs',
    summary: "A sandbox's image build log",
    tags,
    auth: 'key',
  } as const;
  route(
    t,
    { ...build, query: Follow, responses: { 200: 'The build log as text/plain, streamed' } },
    async (ctx, { query: q }) => {
      const s = await d.orch.buildLogs.ofSandbox(principal(ctx), ctx.params.id!);
      streamBuildLog(ctx, d, s.buildId, q.follow ?? false);
    },
  );
}

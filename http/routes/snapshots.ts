// Daytona snapshot routes (compat spec §3.9): registered images by id or name.
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { CreateSnapshot, WarmPoolSize } from '../../orchestrator/snapshots/service.js';
import { principal } from '../context.js';
import { snapshotDto } from '../dto.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';
import { streamBuildLog } from './build-logs.js';

const tags = ['snapshots'];
const raw = (ctx: { request: unknown }) => (ctx.request as { body?: unknown }).body;

const listQuery = queryObject({
  page: qs.number({ min: 1, int: true }),
  limit: qs.number({ min: 1, max: 200, int: true }),
  name: qs.string('Only snapshots whose name contains this'),
  sourceSandboxId: qs.string('Only snapshots taken of this sandbox'),
  sort: qs.string('The field to sort by'),
  order: qs.string('asc or desc'),
});

export function registerSnapshots(t: RouteTable): void {
  const d = t.d;
  const svc = () => d.orch.snapshots;
  const dto = (s: Parameters<typeof snapshotDto>[0]) => {
    const c = d.config;
    const lim = d.orch.sandboxes.limits();
    return snapshotDto(s, {
      cpu: Math.min(c.defaultCpu, lim.maxCpu),
      memory: Math.min(c.defaultMemoryGiB, lim.maxMemoryGiB),
      disk: Math.min(c.defaultDiskGiB, lim.maxDiskGiB),
    });
  };

  route(
    t,
    {
      method: 'get',
      path: '/snapshots',
      summary: 'List snapshots, a page at a time',
      tags,
      auth: 'key',
      query: listQuery,
    },
    async (ctx, { query: q }) => {
      const order = q.order;
      if (order !== undefined && order !== 'asc' && order !== 'desc')
        throw new AppError('invalid_argument', 'order must be asc or desc');
      const r = await svc().list(principal(ctx), {
        page: q.page,
        limit: q.limit,
        name: q.name || undefined,
        sourceSandboxId: q.sourceSandboxId || undefined,
        sort: q.sort as never,
        order,
      });
      ctx.body = { items: r.items.map(dto), total: r.total, page: r.page, totalPages: r.totalPages };
    },
  );

  const example = { name: 'my-base', imageName: 'berth/sandbox-base:latest' };
  route(
    t,
    {
      method: 'post',
      path: '/snapshots',
      summary: 'Register an image or build a Dockerfile as a snapshot',
      tags,
      auth: 'key',
      body: CreateSnapshot,
      bodyCheckedBy: 'service',
      example,
    },
    async (ctx) => {
      ctx.body = dto(await svc().create(principal(ctx), raw(ctx)));
    },
  );

  const logsUrl = z.object({ url: z.string() });
  route(
    t,
    {
      method: 'get',
      path: '/snapshots/:id/build-logs-url',
      summary: "Where a snapshot's build log is",
      tags,
      auth: 'key',
      responses: { 200: logsUrl },
    },
    async (ctx) => {
      const s = await d.orch.buildLogs.ofSnapshot(principal(ctx), ctx.params.id!);
      ctx.body = { url: `${d.config.publicUrl}/api/snapshots/${encodeURIComponent(s.snapshotId)}/build-logs` };
    },
  );
  const follow = queryObject({ follow: qs.bool('Keep the answer open until the build ends') });
  const logs = { 200: 'The build log as text/plain, streamed' };
  route(
    t,
    {
      method: 'get',
      path: '/snapshots/:id/build-logs',
      summary: "A snapshot's build log",
      tags,
      auth: 'key',
      query: follow,
      responses: logs,
    },
    async (ctx, { query: q }) => {
      const s = await d.orch.buildLogs.ofSnapshot(principal(ctx), ctx.params.id!);
      streamBuildLog(ctx, d, s.buildId, q.follow ?? false);
    },
  );

  route(
    t,
    { method: 'get', path: '/snapshots/:idOrName', summary: 'Get a snapshot by id or name', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = dto(await svc().get(principal(ctx), ctx.params.idOrName!));
    },
  );

  route(
    t,
    {
      method: 'delete',
      path: '/snapshots/:id',
      summary: 'Delete a snapshot',
      tags,
      auth: 'key',
      responses: { 204: 'Deleted' },
    },
    async (ctx) => {
      await svc().remove(principal(ctx), ctx.params.id!);
      ctx.status = 204;
    },
  );

  // Berth's own: started sandboxes kept ready for this snapshot ({size: n}, or null for the default).
  const pool = {
    method: 'put',
    path: '/snapshots/:id/warm-pool',
    summary: 'Keep n started sandboxes ready (null: the default)',
    tags,
    auth: 'key',
    body: WarmPoolSize,
    bodyCheckedBy: 'service',
    example: { size: 1 },
  } as const;
  route(t, pool, async (ctx) => {
    ctx.body = dto(await svc().setWarmPool(principal(ctx), ctx.params.id!, raw(ctx)));
  });

  route(
    t,
    { method: 'post', path: '/snapshots/:id/activate', summary: 'Activate a snapshot', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = dto(await svc().setActive(principal(ctx), ctx.params.id!, true));
    },
  );
  route(
    t,
    {
      method: 'post',
      path: '/snapshots/:id/deactivate',
      summary: 'Deactivate a snapshot',
      tags,
      auth: 'key',
      responses: { 204: 'Deactivated' },
    },
    async (ctx) => {
      await svc().setActive(principal(ctx), ctx.params.id!, false);
      ctx.status = 204;
    },
  );
}

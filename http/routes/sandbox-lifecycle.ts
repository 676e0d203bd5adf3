// Daytona-compatible sandbox lifecycle routes (compat spec §3.2–3.6).
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import {
  SANDBOX_STATES,
  SORT_COLUMNS,
  type ListFilter,
  type SandboxState,
  type SortKey,
} from '../../orchestrator/index.js';
import { principal, type Ctx } from '../context.js';
import { sandboxDto } from '../dto.js';
import { pathInt, queryBool, queryList, queryNumber, queryString } from '../parse.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';

/** Daytona's create body, mapped onto Berth's create input. */
const DaytonaCreate = z
  .object({
    name: z.string().optional(),
    snapshot: z.string().optional(),
    image: z.string().optional(),
    user: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    public: z.boolean().optional(),
    autoStartOnRequest: z.boolean().nullable().optional(),
    networkBlockAll: z.boolean().optional(),
    networkAllowList: z.string().optional(),
    target: z.string().optional(),
    cpu: z.number().optional(),
    gpu: z.number().optional(),
    memory: z.number().optional(),
    disk: z.number().optional(),
    autoStopInterval: z.number().optional(),
    autoArchiveInterval: z.number().optional(),
    autoDeleteInterval: z.number().optional(),
    runtime: z.enum(['runc', 'gvisor']).optional(),
    buildInfo: z.object({ dockerfileContent: z.string(), contextHashes: z.array(z.string()).optional() }).optional(),
    volumes: z
      .array(z.object({ volumeId: z.string(), mountPath: z.string(), subpath: z.string().optional() }))
      .optional(),
    domainAllowList: z.string().optional(),
    secrets: z.array(z.record(z.string(), z.string())).optional(),
    // Accepted for compatibility; not used by a single-region server.
    gpuType: z.array(z.string()).optional(),
    spot: z.boolean().optional(),
    kvm: z.boolean().optional(),
    autoPauseInterval: z.number().optional(),
  })
  .strict();

function mapCreate(b: z.output<typeof DaytonaCreate>): Record<string, unknown> {
  const { buildInfo, domainAllowList, gpuType: _g, spot: _s, kvm: _k, ...rest } = b;
  return {
    ...rest,
    ...(domainAllowList?.trim() ? { domainAllowList } : {}),
    ...(buildInfo
      ? {
          dockerfile: buildInfo.dockerfileContent,
          ...(buildInfo.contextHashes?.length ? { contextHashes: buildInfo.contextHashes } : {}),
        }
      : {}),
  };
}

function listFilter(ctx: Ctx): ListFilter {
  let labels: Record<string, string> | undefined;
  const rawLabels = queryString(ctx, 'labels');
  if (rawLabels) {
    try {
      const parsed = JSON.parse(rawLabels) as unknown;
      if (
        !parsed ||
        typeof parsed !== 'object' ||
        Array.isArray(parsed) ||
        Object.values(parsed).some((v) => typeof v !== 'string')
      )
        throw new Error();
      labels = parsed as Record<string, string>;
    } catch {
      throw new AppError('invalid_argument', 'labels must be a JSON object of strings, e.g. labels={"team":"a"}', {
        reason: 'BAD_REQUEST',
      });
    }
  }
  const states = queryList(ctx, 'states');
  for (const s of states)
    if (!(SANDBOX_STATES as readonly string[]).includes(s))
      throw new AppError('invalid_argument', `unknown state ${s}`, { hint: `one of ${SANDBOX_STATES.join(', ')}` });
  const date = (n: string) => {
    const s = queryString(ctx, n);
    if (!s) return undefined;
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) throw new AppError('invalid_argument', `${n} must be an ISO-8601 date`);
    return d;
  };
  const ids = [...queryList(ctx, 'id'), ...queryList(ctx, 'ids')].filter(Boolean);
  return {
    labels,
    states: states as SandboxState[],
    ids: ids.length ? ids : undefined,
    name: queryString(ctx, 'name'),
    images: queryList(ctx, 'snapshots').length ? queryList(ctx, 'snapshots') : undefined,
    minCpu: queryNumber(ctx, 'minCpu'),
    maxCpu: queryNumber(ctx, 'maxCpu'),
    minMemory: queryNumber(ctx, 'minMemoryGiB'),
    maxMemory: queryNumber(ctx, 'maxMemoryGiB'),
    minDisk: queryNumber(ctx, 'minDiskGiB'),
    maxDisk: queryNumber(ctx, 'maxDiskGiB'),
    isPublic: queryBool(ctx, 'isPublic'),
    isRecoverable: queryBool(ctx, 'isRecoverable'),
    createdAfter: date('createdAtAfter'),
    createdBefore: date('createdAtBefore'),
    activityAfter: date('lastEventAfter'),
    activityBefore: date('lastEventBefore'),
  };
}

const tags = ['sandboxes'];
const iso = (what: string) => qs.string(`ISO-8601 time: ${what}`);
/** The list's query; listFilter reads the filters in the order its errors are documented in. */
const ListQuery = queryObject({
  sort: qs.string(`One of ${Object.keys(SORT_COLUMNS).join(', ')} (default createdAt)`),
  order: qs.string('asc or desc (default)'),
  limit: qs.number({ min: 1, max: 1000, int: true, description: 'Page size (default 100)' }),
  cursor: qs.string('Where the previous page ended (its nextCursor)'),
  labels: qs.string('A JSON object of strings, e.g. {"team":"a"}'),
  states: qs.list(`Any of ${SANDBOX_STATES.join(', ')}`),
  id: qs.list('Sandbox ids'),
  ids: qs.list('Sandbox ids'),
  name: qs.string('Name contains'),
  snapshots: qs.list('Images or snapshots'),
  minCpu: qs.number(),
  maxCpu: qs.number(),
  minMemoryGiB: qs.number(),
  maxMemoryGiB: qs.number(),
  minDiskGiB: qs.number(),
  maxDiskGiB: qs.number(),
  isPublic: qs.bool(),
  isRecoverable: qs.bool(),
  createdAtAfter: iso('created after'),
  createdAtBefore: iso('created before'),
  lastEventAfter: iso('last active after'),
  lastEventBefore: iso('last active before'),
});
const Labels = z.object({ labels: z.record(z.string(), z.string()) });
const AutoStart = z.object({ autoStartOnRequest: z.boolean().nullable() }).strict();

export function registerSandboxLifecycle(t: RouteTable): void {
  const d = t.d;
  const svc = () => d.orch.sandboxes;
  const dto = (s: Parameters<typeof sandboxDto>[0], full = true) => sandboxDto(s, d.config.publicUrl, full);
  const post = (path: string, summary: string) => ({ method: 'post', path, summary, tags, auth: 'key' }) as const;

  const create = {
    ...post('/sandbox', 'Create a sandbox'),
    description:
      'An Idempotency-Key header makes retries safe; the X-Berth-Warm answer header says whether a warm sandbox was claimed.',
  };
  route(
    t,
    { ...create, body: DaytonaCreate, example: { snapshot: 'berth/sandbox-base:latest', labels: { team: 'a' } } },
    async (ctx, { body: b }) => {
      const input = mapCreate(b);
      const key = ctx.get('idempotency-key') || undefined;
      // X-Berth-Warm: `hit` when a warm sandbox was claimed, else `miss; reason=…`.
      const onWarm = (v: string) => ctx.set('X-Berth-Warm', v);
      const s = await svc().create(principal(ctx), input, { idempotencyKey: key, onWarm });
      ctx.body = dto(s);
    },
  );

  route(
    t,
    {
      method: 'get',
      path: '/sandbox',
      summary: 'List sandboxes, a page at a time',
      tags,
      auth: 'key',
      query: ListQuery,
    },
    async (ctx, { query: q }) => {
      const sort = (q.sort ?? 'createdAt') as SortKey;
      if (!(sort in SORT_COLUMNS))
        throw new AppError('invalid_argument', `sort must be one of ${Object.keys(SORT_COLUMNS).join(', ')}`);
      const order = q.order ?? 'desc';
      if (order !== 'asc' && order !== 'desc') throw new AppError('invalid_argument', 'order must be asc or desc');
      const limit = q.limit ?? 100;
      const page = await svc().list(principal(ctx), listFilter(ctx), {
        cursor: q.cursor || undefined,
        limit,
        sort,
        order,
      });
      ctx.body = { items: page.items.map((s) => dto(s, false)), nextCursor: page.nextCursor, total: page.total };
    },
  );

  route(
    t,
    { method: 'get', path: '/sandbox/:idOrName', summary: 'Get a sandbox by id or name', tags, auth: 'key' },
    async (ctx) => {
      const s = await svc().get(principal(ctx), ctx.params.idOrName!);
      ctx.body = dto(s);
    },
  );

  const proxyUrl = {
    method: 'get',
    path: '/sandbox/:id/toolbox-proxy-url',
    summary: 'Where the toolbox API is',
    tags,
    auth: 'key',
  } as const;
  route(t, { ...proxyUrl, responses: { 200: z.object({ url: z.string() }) } }, async (ctx) => {
    await svc().get(principal(ctx), ctx.params.id!);
    ctx.body = { url: `${d.config.publicUrl}/toolbox` };
  });

  for (const [path, action, summary] of [
    ['start', 'start', 'Start a sandbox'],
    ['recover', 'start', 'Recover a sandbox (start it again)'],
    ['stop', 'stop', 'Stop a sandbox'],
    ['archive', 'archive', "Archive a stopped sandbox's filesystem"],
  ] as const) {
    route(t, post(`/sandbox/:id/${path}`, summary), async (ctx) => {
      ctx.body = dto(await svc().request(principal(ctx), ctx.params.id!, action));
    });
  }

  route(t, { method: 'delete', path: '/sandbox/:id', summary: 'Delete a sandbox', tags, auth: 'key' }, async (ctx) => {
    ctx.body = dto(await svc().request(principal(ctx), ctx.params.id!, 'delete'));
  });

  const labels = {
    method: 'put',
    path: '/sandbox/:id/labels',
    summary: "Replace a sandbox's labels",
    tags,
    auth: 'key',
  } as const;
  route(t, { ...labels, body: Labels, example: { labels: { team: 'a' } } }, async (ctx, { body: b }) => {
    const s = await svc().setLabels(principal(ctx), ctx.params.id!, b.labels);
    ctx.body = { labels: s.labels };
  });

  route(t, post('/sandbox/:id/autostop/:minutes', 'Stop after this many idle minutes (0: never)'), async (ctx) => {
    ctx.body = dto(await svc().setIntervals(principal(ctx), ctx.params.id!, { autoStop: pathInt(ctx, 'minutes', 0) }));
  });
  route(t, post('/sandbox/:id/autoarchive/:minutes', 'Archive after this many minutes stopped'), async (ctx) => {
    ctx.body = dto(
      await svc().setIntervals(principal(ctx), ctx.params.id!, { autoArchive: pathInt(ctx, 'minutes', 0) }),
    );
  });
  route(
    t,
    post('/sandbox/:id/autodelete/:minutes', 'Delete after this many minutes stopped (negative: never)'),
    async (ctx) => {
      ctx.body = dto(
        await svc().setIntervals(principal(ctx), ctx.params.id!, { autoDelete: pathInt(ctx, 'minutes', -1_000_000) }),
      );
    },
  );
  route(t, post('/sandbox/:id/public/:isPublic', 'Make previews public (true) or private (false)'), async (ctx) => {
    const v = ctx.params.isPublic;
    if (v !== 'true' && v !== 'false') throw new AppError('invalid_argument', 'isPublic must be true or false');
    ctx.body = dto(await svc().setPublic(principal(ctx), ctx.params.id!, v === 'true'));
  });
  // Berth's own: whether preview/SSH requests start this sandbox when stopped or archived (null = the organization's default).
  const autoStart = {
    method: 'put',
    path: '/sandbox/:id/auto-start-on-request',
    summary: 'Start on a preview or SSH request (null: the default)',
    tags,
    auth: 'key',
  } as const;
  route(t, { ...autoStart, body: AutoStart, example: { autoStartOnRequest: true } }, async (ctx, { body: b }) => {
    ctx.body = dto(await svc().setAutoStartOnRequest(principal(ctx), ctx.params.id!, b.autoStartOnRequest));
  });
  route(
    t,
    {
      ...post('/sandbox/:id/last-activity', 'Record activity (resets the idle timers)'),
      responses: { 204: 'Recorded' },
    },
    async (ctx) => {
      const s = await svc().get(principal(ctx), ctx.params.id!);
      await svc().touch(s);
      ctx.status = 204;
    },
  );
}

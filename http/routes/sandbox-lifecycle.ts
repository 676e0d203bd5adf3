// Daytona-compatible sandbox lifecycle routes (compat spec §3.2–3.6).
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { SANDBOX_STATES, SORT_COLUMNS, type ListFilter, type SandboxState, type SortKey } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../context.js';
import { sandboxDto } from '../dto.js';
import { body, pathInt, queryBool, queryList, queryNumber, queryString } from '../parse.js';

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
    volumes: z.array(z.object({ volumeId: z.string(), mountPath: z.string(), subpath: z.string().optional() })).optional(),
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
    ...(buildInfo ? { dockerfile: buildInfo.dockerfileContent, ...(buildInfo.contextHashes?.length ? { contextHashes: buildInfo.contextHashes } : {}) } : {}),
  };
}

function listFilter(ctx: Ctx): ListFilter {
  let labels: Record<string, string> | undefined;
  const rawLabels = queryString(ctx, 'labels');
  if (rawLabels) {
    try {
      const parsed = JSON.parse(rawLabels) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) throw new Error();
      labels = parsed as Record<string, string>;
    } catch {
      throw new AppError('invalid_argument', 'labels must be a JSON object of strings, e.g. labels={"team":"a"}', { reason: 'BAD_REQUEST' });
    }
  }
  const states = queryList(ctx, 'states');
  for (const s of states) if (!(SANDBOX_STATES as readonly string[]).includes(s)) throw new AppError('invalid_argument', `unknown state ${s}`, { hint: `one of ${SANDBOX_STATES.join(', ')}` });
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

export function registerSandboxLifecycle(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const svc = () => d.orch.sandboxes;
  const dto = (s: Parameters<typeof sandboxDto>[0], full = true) => sandboxDto(s, d.config.publicUrl, full);

  router.post('/sandbox', auth, async (ctx) => {
    const input = mapCreate(body(ctx, DaytonaCreate));
    const key = ctx.get('idempotency-key') || undefined;
    // X-Berth-Warm: `hit` when a warm sandbox was claimed, else `miss; reason=…`.
    const onWarm = (v: string) => ctx.set('X-Berth-Warm', v);
    const s = await svc().create(principal(ctx), input, { idempotencyKey: key, onWarm });
    ctx.body = dto(s);
  });

  router.get('/sandbox', auth, async (ctx) => {
    const sort = (queryString(ctx, 'sort') ?? 'createdAt') as SortKey;
    if (!(sort in SORT_COLUMNS)) throw new AppError('invalid_argument', `sort must be one of ${Object.keys(SORT_COLUMNS).join(', ')}`);
    const order = queryString(ctx, 'order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw new AppError('invalid_argument', 'order must be asc or desc');
    const limit = queryNumber(ctx, 'limit', { min: 1, max: 1000, int: true }) ?? 100;
    const page = await svc().list(principal(ctx), listFilter(ctx), { cursor: queryString(ctx, 'cursor') || undefined, limit, sort, order });
    ctx.body = { items: page.items.map((s) => dto(s, false)), nextCursor: page.nextCursor, total: page.total };
  });

  router.get('/sandbox/:idOrName', auth, async (ctx) => {
    const s = await svc().get(principal(ctx), ctx.params.idOrName!);
    ctx.body = dto(s);
  });

  router.get('/sandbox/:id/toolbox-proxy-url', auth, async (ctx) => {
    await svc().get(principal(ctx), ctx.params.id!);
    ctx.body = { url: `${d.config.publicUrl}/toolbox` };
  });

  for (const [path, action] of [
    ['start', 'start'],
    ['recover', 'start'],
    ['stop', 'stop'],
    ['archive', 'archive'],
  ] as const) {
    router.post(`/sandbox/:id/${path}`, auth, async (ctx) => {
      ctx.body = dto(await svc().request(principal(ctx), ctx.params.id!, action));
    });
  }

  router.delete('/sandbox/:id', auth, async (ctx) => {
    ctx.body = dto(await svc().request(principal(ctx), ctx.params.id!, 'delete'));
  });

  router.put('/sandbox/:id/labels', auth, async (ctx) => {
    const b = body(ctx, z.object({ labels: z.record(z.string(), z.string()) }));
    const s = await svc().setLabels(principal(ctx), ctx.params.id!, b.labels);
    ctx.body = { labels: s.labels };
  });

  router.post('/sandbox/:id/autostop/:minutes', auth, async (ctx) => {
    ctx.body = dto(await svc().setIntervals(principal(ctx), ctx.params.id!, { autoStop: pathInt(ctx, 'minutes', 0) }));
  });
  router.post('/sandbox/:id/autoarchive/:minutes', auth, async (ctx) => {
    ctx.body = dto(await svc().setIntervals(principal(ctx), ctx.params.id!, { autoArchive: pathInt(ctx, 'minutes', 0) }));
  });
  router.post('/sandbox/:id/autodelete/:minutes', auth, async (ctx) => {
    ctx.body = dto(await svc().setIntervals(principal(ctx), ctx.params.id!, { autoDelete: pathInt(ctx, 'minutes', -1_000_000) }));
  });
  router.post('/sandbox/:id/public/:isPublic', auth, async (ctx) => {
    const v = ctx.params.isPublic;
    if (v !== 'true' && v !== 'false') throw new AppError('invalid_argument', 'isPublic must be true or false');
    ctx.body = dto(await svc().setPublic(principal(ctx), ctx.params.id!, v === 'true'));
  });
  // Berth's own: whether preview/SSH requests start this sandbox when stopped or archived (null = the organization's default).
  router.put('/sandbox/:id/auto-start-on-request', auth, async (ctx) => {
    const { autoStartOnRequest } = body(ctx, z.object({ autoStartOnRequest: z.boolean().nullable() }).strict());
    ctx.body = dto(await svc().setAutoStartOnRequest(principal(ctx), ctx.params.id!, autoStartOnRequest));
  });
  router.post('/sandbox/:id/last-activity', auth, async (ctx) => {
    const s = await svc().get(principal(ctx), ctx.params.id!);
    await svc().touch(s);
    ctx.status = 204;
  });
}

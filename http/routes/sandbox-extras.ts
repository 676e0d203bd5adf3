// The rest of Daytona's per-sandbox control API (compat spec §3.5–3.7):
// resize and network settings, and honest 501s for what Berth cannot do yet
// (fork, snapshot of a sandbox, pause, build logs). SSH access is in ssh-access.ts.
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../context.js';
import { sandboxDto } from '../dto.js';
import { body, pathInt } from '../parse.js';

const Resize = z.object({ cpu: z.number().optional(), memory: z.number().optional(), disk: z.number().optional(), gpu: z.number().optional() }).strict();
const Network = z.object({ networkBlockAll: z.boolean().optional(), networkAllowList: z.string().optional(), domainAllowList: z.string().optional() }).strict();

export function registerSandboxExtras(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const dto = (s: Parameters<typeof sandboxDto>[0]) => sandboxDto(s, d.config.publicUrl);
  /** Unknown sandboxes answer 404 first: a 501 must never hide a typo. */
  const unsupported = (message: string, hint: string) => async (ctx: Ctx) => {
    await d.orch.sandboxes.get(principal(ctx), ctx.params.id!);
    throw new AppError('not_implemented', message, { hint });
  };

  router.post('/sandbox/:id/resize', auth, async (ctx) => {
    ctx.body = dto(await d.orch.settings.resize(principal(ctx), ctx.params.id!, body(ctx, Resize)));
  });

  router.post('/sandbox/:id/network-settings', auth, async (ctx) => {
    ctx.body = dto(await d.orch.settings.updateNetwork(principal(ctx), ctx.params.id!, body(ctx, Network)));
  });

  router.post('/sandbox/:id/fork', auth, unsupported('forking a sandbox is not supported yet', 'copy what you need into a new sandbox (files via download/upload, or git)'));
  router.post('/sandbox/:id/snapshot', auth, unsupported('snapshotting a sandbox is not supported yet', 'commit the image on the host with `docker commit berth-<id> <name>` and register it with POST /api/snapshots {name, imageName}'));
  router.post('/sandbox/:id/pause', auth, unsupported('pausing a sandbox is not supported yet', 'stop it instead (POST /api/sandbox/{id}/stop); its filesystem is kept'));
  router.post('/sandbox/:id/autopause/:minutes', auth, async (ctx) => {
    const minutes = pathInt(ctx, 'minutes', 0);
    const s = await d.orch.sandboxes.get(principal(ctx), ctx.params.id!);
    if (minutes !== 0) throw new AppError('not_implemented', 'auto-pause is not supported yet', { hint: 'use auto-stop (POST /api/sandbox/{id}/autostop/{minutes}) instead' });
    ctx.body = dto(s);
  });

  const noTelemetry = unsupported('metric, log and trace history is not collected yet', 'read current usage with getMetricsLatest() (toolbox GET /system/metrics)');
  router.get('/sandbox/:id/telemetry/metrics', auth, noTelemetry);
  router.get('/sandbox/:id/telemetry/logs', auth, noTelemetry);
  router.get('/sandbox/:id/telemetry/traces', auth, noTelemetry);

  const buildLogs = async (ctx: Ctx) => {
    const s = await d.orch.sandboxes.get(principal(ctx), ctx.params.id!);
    const building = s.state === 'pending_build' || s.state === 'building_snapshot';
    throw new AppError('not_implemented', building ? 'build logs are not available yet' : `sandbox ${s.name} has no build: Berth runs existing images and does not build them`, {
      hint: 'build images with `docker build` on the host and create sandboxes from them',
    });
  };
  router.get('/sandbox/:id/build-logs-url', auth, buildLogs);
  router.get('/sandbox/:id/build-logs', auth, buildLogs);
}

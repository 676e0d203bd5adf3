// Environment, metrics and ports (compat spec §4.2, §4.10).
import { AppError } from '../../../common/errors.js';
import { EnvUpdateRequest } from '../../../common/wire/toolbox.js';
import { principal, type ApiRouter, type HttpDeps } from '../../context.js';
import { body } from '../../parse.js';

export function registerSystem(router: ApiRouter, d: HttpDeps): void {
  const sys = d.orch.toolbox.system;
  router.post('/env', async (ctx) => {
    ctx.body = await sys.updateEnv(principal(ctx), ctx.params.sandboxId!, body(ctx, EnvUpdateRequest));
  });
  router.get('/system/metrics', async (ctx) => {
    ctx.body = await sys.metrics(principal(ctx), ctx.params.sandboxId!);
  });
  router.get('/port', async (ctx) => {
    ctx.body = await sys.ports(principal(ctx), ctx.params.sandboxId!);
  });
  router.get('/port/:port/in-use', async (ctx) => {
    const raw = ctx.params.port ?? '';
    const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new AppError('invalid_argument', `port must be a number from 1 to 65535, not ${JSON.stringify(raw)}`, { reason: 'BAD_REQUEST' });
    ctx.body = await sys.portInUse(principal(ctx), ctx.params.sandboxId!, port);
  });
}

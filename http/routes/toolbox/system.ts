// Environment, metrics and ports (compat spec §4.2, §4.10).
import { AppError } from '../../../common/errors.js';
import { EnvUpdateRequest } from '../../../common/wire/toolbox.js';
import { principal } from '../../context.js';
import { route, type RouteTable } from '../../route.js';

const tags = ['toolbox: system'];

export function registerSystem(t: RouteTable): void {
  const sys = t.d.orch.toolbox.system;
  const env = {
    summary: 'Set or unset environment variables for later commands',
    tags,
    auth: 'key',
    body: EnvUpdateRequest,
  } as const;
  route(t, { ...env, method: 'post', path: '/env' }, async (ctx, { body }) => {
    ctx.body = await sys.updateEnv(principal(ctx), ctx.params.sandboxId!, body);
  });
  route(
    t,
    { method: 'get', path: '/system/metrics', summary: 'CPU, memory and disk use', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = await sys.metrics(principal(ctx), ctx.params.sandboxId!);
    },
  );
  route(t, { method: 'get', path: '/port', summary: 'Ports something listens on', tags, auth: 'key' }, async (ctx) => {
    ctx.body = await sys.ports(principal(ctx), ctx.params.sandboxId!);
  });
  route(
    t,
    { method: 'get', path: '/port/:port/in-use', summary: 'Whether something listens on a port', tags, auth: 'key' },
    async (ctx) => {
      const raw = ctx.params.port ?? '';
      const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
      if (!(port >= 1 && port <= 65535))
        throw new AppError('invalid_argument', `port must be a number from 1 to 65535, not ${JSON.stringify(raw)}`, {
          reason: 'BAD_REQUEST',
        });
      ctx.body = await sys.portInUse(principal(ctx), ctx.params.sandboxId!, port);
    },
  );
}

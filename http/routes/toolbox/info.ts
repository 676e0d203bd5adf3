// Toolbox info routes (compat spec §4.2).
import { BERTH_VERSION } from '../../../common/version.js';
import { principal, type Ctx } from '../../context.js';
import { route, type RouteTable } from '../../route.js';

const tags = ['toolbox: info'];

export function registerInfo(t: RouteTable): void {
  const info = (ctx: Ctx) => t.d.orch.toolbox.process.info(principal(ctx), ctx.params.sandboxId!);
  route(t, { method: 'get', path: '/work-dir', summary: 'The working folder', tags, auth: 'key' }, async (ctx) => {
    ctx.body = { dir: (await info(ctx)).workdir };
  });
  route(
    t,
    { method: 'get', path: '/user-home-dir', summary: "The user's home folder", tags, auth: 'key' },
    async (ctx) => {
      ctx.body = { dir: (await info(ctx)).home };
    },
  );
  route(t, { method: 'get', path: '/version', summary: 'The toolbox version', tags, auth: 'key' }, async (ctx) => {
    await info(ctx);
    ctx.body = { version: BERTH_VERSION };
  });
}

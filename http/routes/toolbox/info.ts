// Toolbox info routes (compat spec §4.2).
import { BERTH_VERSION } from '../../../common/version.js';
import { principal, type ApiRouter, type HttpDeps } from '../../context.js';

export function registerInfo(router: ApiRouter, d: HttpDeps): void {
  const info = (ctx: Parameters<Parameters<ApiRouter['get']>[1]>[0]) => d.orch.toolbox.process.info(principal(ctx), ctx.params.sandboxId!);
  router.get('/work-dir', async (ctx) => void (ctx.body = { dir: (await info(ctx)).workdir }));
  router.get('/user-home-dir', async (ctx) => void (ctx.body = { dir: (await info(ctx)).home }));
  router.get('/version', async (ctx) => {
    await info(ctx);
    ctx.body = { version: BERTH_VERSION };
  });
}

// Toolbox info routes (compat spec §4.2).
import { BERTH_VERSION } from '../../../common/version.js';
import type { ApiRouter, HttpDeps } from '../../context.js';
import { withDaemon } from './common.js';

export function registerInfo(router: ApiRouter, d: HttpDeps): void {
  router.get('/work-dir', (ctx) => withDaemon(ctx, d, async (daemon) => void (ctx.body = { dir: (await daemon.health()).workdir })));
  router.get('/user-home-dir', (ctx) => withDaemon(ctx, d, async (daemon) => void (ctx.body = { dir: (await daemon.health()).home })));
  router.get('/version', (ctx) => withDaemon(ctx, d, async () => void (ctx.body = { version: BERTH_VERSION })));
}

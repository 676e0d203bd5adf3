// POST /process/code-run (compat spec §4.4).
import { CodeRunRequest } from '../../../common/wire/toolbox.js';
import { principal, type ApiRouter, type HttpDeps } from '../../context.js';
import { body } from '../../parse.js';

export function registerCodeRun(router: ApiRouter, d: HttpDeps): void {
  router.post('/process/code-run', async (ctx) => {
    const req = body(ctx, CodeRunRequest);
    const controller = new AbortController();
    // A client that hangs up takes its run with it.
    ctx.req.once('close', () => {
      if (!ctx.res.writableEnded) controller.abort();
    });
    ctx.body = await d.orch.toolbox.codeRun.run(principal(ctx), ctx.params.sandboxId!, req, controller.signal);
  });
}

// POST /process/code-run (compat spec §4.4).
import { CodeRunRequest } from '../../../common/wire/toolbox.js';
import { principal } from '../../context.js';
import { route, type RouteTable } from '../../route.js';

export function registerCodeRun(t: RouteTable): void {
  const decl = {
    summary: 'Run Python, JavaScript or TypeScript code',
    tags: ['toolbox: process'],
    auth: 'key',
    body: CodeRunRequest,
  } as const;
  route(t, { ...decl, method: 'post', path: '/process/code-run' }, async (ctx, { body: req }) => {
    const controller = new AbortController();
    // A client that hangs up takes its run with it.
    ctx.req.once('close', () => {
      if (!ctx.res.writableEnded) controller.abort();
    });
    ctx.body = await t.d.orch.toolbox.codeRun.run(principal(ctx), ctx.params.sandboxId!, req, controller.signal);
  });
}

// Shared plumbing for toolbox routes: mark errors as toolbox errors, resolve
// the started sandbox, and end the activity window when the call is over.
import type Koa from 'koa';
import type { SandboxDaemon } from '../../../common/wire/runner.js';
import type { Sandbox } from '../../../orchestrator/sandboxes/model.js';
import { principal, type Ctx, type HttpDeps, type State } from '../../context.js';

export const markToolbox: Koa.Middleware<State> = async (ctx, next) => {
  ctx.state.toolbox = true;
  await next();
};

/** Runs `f` with the sandbox's daemon; streaming bodies end the window when they finish. */
export async function withDaemon(ctx: Ctx, d: HttpDeps, f: (daemon: SandboxDaemon, sandbox: Sandbox) => Promise<void>): Promise<void> {
  const tb = await d.orch.sandboxes.toolbox(principal(ctx), ctx.params.sandboxId!);
  let streaming = false;
  try {
    await f(tb.daemon, tb.sandbox);
    const b = ctx.body as NodeJS.ReadableStream | undefined;
    if (b && typeof (b as { pipe?: unknown }).pipe === 'function') {
      streaming = true;
      const done = () => tb.end();
      (b as NodeJS.ReadableStream).once('end', done);
      (b as NodeJS.ReadableStream).once('close', done);
      (b as NodeJS.ReadableStream).once('error', done);
      ctx.res.once('close', done);
    }
  } finally {
    if (!streaming) tb.end();
  }
}

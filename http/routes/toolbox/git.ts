// Toolbox git routes (compat spec §4.8). Bodies use the Daytona snake_case
// names; DELETE /git/branches carries a JSON body, which the shared body
// parser skips for DELETE, so it is read here.
import type { z } from 'zod';
import { AppError } from '../../../common/errors.js';
import { GitAdd, GitAddRemote, GitBranch, GitCheckout, GitClone, GitCommit, GitConfigureUser, GitInit, GitRemoteOp, GitReset, GitRestore, GitScope, GitSetConfig } from '../../../common/wire/toolbox.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../../context.js';
import { body, queryBool, queryString } from '../../parse.js';

async function deleteBody<S extends z.ZodTypeAny>(ctx: Ctx, schema: S, limit: number): Promise<z.output<S>> {
  const req = ctx.request as unknown as { body?: unknown };
  if (req.body === undefined) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of ctx.req) {
      size += (c as Buffer).length;
      if (size > limit) throw new AppError('payload_too_large', `request body over ${limit} bytes`);
      chunks.push(c as Buffer);
    }
    try {
      req.body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      throw new AppError('invalid_argument', 'request body is not valid JSON', { reason: 'INVALID_REQUEST_BODY', hint: 'send {"path": …, "name": …}' });
    }
  }
  return body(ctx, schema);
}

/** Aborts when the client hangs up, so a long clone or push is killed with it. */
function hangup(ctx: Ctx): AbortSignal {
  const c = new AbortController();
  ctx.req.once('close', () => {
    if (!ctx.res.writableEnded) c.abort();
  });
  return c.signal;
}

export function registerGit(router: ApiRouter, d: HttpDeps): void {
  const git = d.orch.toolbox.git;
  const id = (ctx: Ctx) => ctx.params.sandboxId!;
  const path = (ctx: Ctx) => queryString(ctx, 'path', true);
  const ok = (ctx: Ctx, status = 200) => {
    ctx.status = status;
    ctx.body = {};
  };

  router.post('/git/clone', async (ctx) => {
    ctx.body = await git.clone(principal(ctx), id(ctx), body(ctx, GitClone), hangup(ctx));
  });
  router.get('/git/status', async (ctx) => {
    ctx.body = await git.status(principal(ctx), id(ctx), path(ctx));
  });
  // Berth's addition (the web UI's Git tab; MCP's git_diff): the work tree against the index, or ?staged=true.
  router.get('/git/diff', async (ctx) => {
    ctx.body = await d.orch.toolbox.gitDiff.diff(principal(ctx), id(ctx), path(ctx), { staged: queryBool(ctx, 'staged') ?? false });
  });
  router.get('/git/branches', async (ctx) => {
    ctx.body = await git.branches(principal(ctx), id(ctx), path(ctx));
  });
  router.post('/git/branches', async (ctx) => {
    await git.createBranch(principal(ctx), id(ctx), body(ctx, GitBranch));
    ok(ctx, 201);
  });
  router.delete('/git/branches', async (ctx) => {
    await git.deleteBranch(principal(ctx), id(ctx), await deleteBody(ctx, GitBranch, d.config.jsonBodyLimitBytes));
    ctx.status = 204;
  });
  router.post('/git/checkout', async (ctx) => {
    await git.checkout(principal(ctx), id(ctx), body(ctx, GitCheckout));
    ok(ctx);
  });
  router.post('/git/add', async (ctx) => {
    await git.add(principal(ctx), id(ctx), body(ctx, GitAdd));
    ok(ctx);
  });
  router.post('/git/commit', async (ctx) => {
    ctx.body = await git.commit(principal(ctx), id(ctx), body(ctx, GitCommit));
  });
  router.post('/git/push', async (ctx) => {
    await git.push(principal(ctx), id(ctx), body(ctx, GitRemoteOp), hangup(ctx));
    ok(ctx);
  });
  router.post('/git/pull', async (ctx) => {
    await git.pull(principal(ctx), id(ctx), body(ctx, GitRemoteOp), hangup(ctx));
    ok(ctx);
  });
  router.get('/git/history', async (ctx) => {
    ctx.body = await git.history(principal(ctx), id(ctx), path(ctx));
  });
  router.get('/git/remotes', async (ctx) => {
    ctx.body = await git.remotes(principal(ctx), id(ctx), path(ctx));
  });
  router.post('/git/remotes', async (ctx) => {
    await git.addRemote(principal(ctx), id(ctx), body(ctx, GitAddRemote));
    ok(ctx, 201);
  });
  router.post('/git/init', async (ctx) => {
    await git.init(principal(ctx), id(ctx), body(ctx, GitInit));
    ok(ctx, 201);
  });
  router.post('/git/reset', async (ctx) => {
    await git.reset(principal(ctx), id(ctx), body(ctx, GitReset));
    ok(ctx);
  });
  router.post('/git/restore', async (ctx) => {
    await git.restore(principal(ctx), id(ctx), body(ctx, GitRestore));
    ok(ctx);
  });
  router.get('/git/config', async (ctx) => {
    const scope = GitScope.safeParse(queryString(ctx, 'scope') || 'global');
    if (!scope.success) throw new AppError('invalid_argument', 'scope must be global, local or system', { reason: 'BAD_REQUEST' });
    ctx.body = await git.getConfig(principal(ctx), id(ctx), queryString(ctx, 'key', true), scope.data, queryString(ctx, 'path') || undefined);
  });
  router.post('/git/config', async (ctx) => {
    await git.setConfig(principal(ctx), id(ctx), body(ctx, GitSetConfig));
    ok(ctx);
  });
  router.post('/git/config/user', async (ctx) => {
    await git.configureUser(principal(ctx), id(ctx), body(ctx, GitConfigureUser));
    ok(ctx);
  });
  router.post('/git/credentials', async (ctx) => {
    await git.storeCredentials(principal(ctx), id(ctx), {});
  });
}

// Toolbox git routes (compat spec §4.8). Bodies use the Daytona snake_case
// names; DELETE /git/branches carries a JSON body, which the shared body
// parser skips for DELETE, so it is read here.
import type { z } from 'zod';
import { AppError } from '../../../common/errors.js';
import {
  GitAdd,
  GitAddRemote,
  GitBranch,
  GitCheckout,
  GitClone,
  GitCommit,
  GitConfigureUser,
  GitInit,
  GitRemoteOp,
  GitReset,
  GitRestore,
  GitScope,
  GitSetConfig,
} from '../../../common/wire/toolbox.js';
import { principal, type Ctx } from '../../context.js';
import { body } from '../../parse.js';
import { qs, queryObject } from '../../query-fields.js';
import { route, type RouteTable } from '../../route.js';

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
      throw new AppError('invalid_argument', 'request body is not valid JSON', {
        reason: 'INVALID_REQUEST_BODY',
        hint: 'send {"path": …, "name": …}',
      });
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

const tags = ['toolbox: git'];
const Repo = queryObject({ path: qs.required('The repository (a directory in the sandbox)') });
const Diff = queryObject({ path: qs.required('The repository'), staged: qs.bool('The index against HEAD') });
const ConfigQuery = queryObject({
  key: qs.required('e.g. user.name'),
  scope: qs.string('global (default), local or system'),
  path: qs.string('The repository (scope local)'),
});
const repo = '/home/daytona/repo';

export function registerGit(t: RouteTable): void {
  const d = t.d;
  const git = d.orch.toolbox.git;
  const id = (ctx: Ctx) => ctx.params.sandboxId!;
  const ok = (ctx: Ctx, status = 200) => {
    ctx.status = status;
    ctx.body = {};
  };
  const post = (path: string, summary: string) => ({ method: 'post', path, summary, tags, auth: 'key' }) as const;
  const get = (path: string, summary: string) =>
    ({ method: 'get', path, summary, tags, auth: 'key', query: Repo }) as const;
  const created = { 201: 'Done' };

  const clone = { url: 'https://github.com/octocat/Hello-World.git', path: repo };
  route(
    t,
    { ...post('/git/clone', 'Clone a repository'), body: GitClone, example: clone },
    async (ctx, { body: b }) => {
      ctx.body = await git.clone(principal(ctx), id(ctx), b, hangup(ctx));
    },
  );
  route(t, get('/git/status', 'Branch and file status'), async (ctx, { query: q }) => {
    ctx.body = await git.status(principal(ctx), id(ctx), q.path);
  });
  // Berth's addition (the web UI's Git tab; MCP's git_diff): the work tree against the index, or ?staged=true.
  route(
    t,
    { ...get('/git/diff', 'The work tree against the index (or staged)'), query: Diff },
    async (ctx, { query: q }) => {
      ctx.body = await d.orch.toolbox.gitDiff.diff(principal(ctx), id(ctx), q.path, { staged: q.staged ?? false });
    },
  );
  route(t, get('/git/branches', 'List branches'), async (ctx, { query: q }) => {
    ctx.body = await git.branches(principal(ctx), id(ctx), q.path);
  });
  const branch = { path: repo, name: 'feature' };
  route(
    t,
    { ...post('/git/branches', 'Create a branch'), body: GitBranch, example: branch, responses: created },
    async (ctx, { body: b }) => {
      await git.createBranch(principal(ctx), id(ctx), b);
      ok(ctx, 201);
    },
  );
  const del = {
    method: 'delete',
    path: '/git/branches',
    summary: 'Delete a branch',
    tags,
    auth: 'key',
    responses: { 204: 'Deleted' },
  } as const;
  route(t, { ...del, body: GitBranch, bodyCheckedBy: 'handler', example: branch }, async (ctx) => {
    await git.deleteBranch(principal(ctx), id(ctx), await deleteBody(ctx, GitBranch, d.config.jsonBodyLimitBytes));
    ctx.status = 204;
  });
  route(
    t,
    { ...post('/git/checkout', 'Check out a branch'), body: GitCheckout, example: { path: repo, branch: 'main' } },
    async (ctx, { body: b }) => {
      await git.checkout(principal(ctx), id(ctx), b);
      ok(ctx);
    },
  );
  route(
    t,
    { ...post('/git/add', 'Stage files'), body: GitAdd, example: { path: repo, files: ['.'] } },
    async (ctx, { body: b }) => {
      await git.add(principal(ctx), id(ctx), b);
      ok(ctx);
    },
  );
  const commit = { path: repo, message: 'First', author: 'Ada', email: 'ada@example.com' };
  route(
    t,
    { ...post('/git/commit', 'Commit the index'), body: GitCommit, example: commit },
    async (ctx, { body: b }) => {
      ctx.body = await git.commit(principal(ctx), id(ctx), b);
    },
  );
  route(t, { ...post('/git/push', 'Push'), body: GitRemoteOp, example: { path: repo } }, async (ctx, { body: b }) => {
    await git.push(principal(ctx), id(ctx), b, hangup(ctx));
    ok(ctx);
  });
  route(t, { ...post('/git/pull', 'Pull'), body: GitRemoteOp, example: { path: repo } }, async (ctx, { body: b }) => {
    await git.pull(principal(ctx), id(ctx), b, hangup(ctx));
    ok(ctx);
  });
  route(t, get('/git/history', 'Commit history'), async (ctx, { query: q }) => {
    ctx.body = await git.history(principal(ctx), id(ctx), q.path);
  });
  route(t, get('/git/remotes', 'List remotes'), async (ctx, { query: q }) => {
    ctx.body = await git.remotes(principal(ctx), id(ctx), q.path);
  });
  const remote = { path: repo, name: 'upstream', url: 'https://github.com/octocat/Hello-World.git' };
  route(
    t,
    { ...post('/git/remotes', 'Add a remote'), body: GitAddRemote, example: remote, responses: created },
    async (ctx, { body: b }) => {
      await git.addRemote(principal(ctx), id(ctx), b);
      ok(ctx, 201);
    },
  );
  route(
    t,
    { ...post('/git/init', 'Create a repository'), body: GitInit, example: { path: repo }, responses: created },
    async (ctx, { body: b }) => {
      await git.init(principal(ctx), id(ctx), b);
      ok(ctx, 201);
    },
  );
  route(
    t,
    { ...post('/git/reset', 'Reset'), body: GitReset, example: { path: repo, mode: 'mixed' } },
    async (ctx, { body: b }) => {
      await git.reset(principal(ctx), id(ctx), b);
      ok(ctx);
    },
  );
  route(
    t,
    { ...post('/git/restore', 'Restore files'), body: GitRestore, example: { path: repo, files: ['README.md'] } },
    async (ctx, { body: b }) => {
      await git.restore(principal(ctx), id(ctx), b);
      ok(ctx);
    },
  );
  route(
    t,
    { method: 'get', path: '/git/config', summary: 'Read a git config value', tags, auth: 'key', query: ConfigQuery },
    async (ctx, { query: q }) => {
      const scope = GitScope.safeParse(q.scope || 'global');
      if (!scope.success)
        throw new AppError('invalid_argument', 'scope must be global, local or system', { reason: 'BAD_REQUEST' });
      ctx.body = await git.getConfig(principal(ctx), id(ctx), q.key, scope.data, q.path || undefined);
    },
  );
  route(
    t,
    {
      ...post('/git/config', 'Set a git config value'),
      body: GitSetConfig,
      example: { key: 'pull.rebase', value: 'true' },
    },
    async (ctx, { body: b }) => {
      await git.setConfig(principal(ctx), id(ctx), b);
      ok(ctx);
    },
  );
  const user = { name: 'Ada', email: 'ada@example.com' };
  route(
    t,
    { ...post('/git/config/user', 'Set user.name and user.email'), body: GitConfigureUser, example: user },
    async (ctx, { body: b }) => {
      await git.configureUser(principal(ctx), id(ctx), b);
      ok(ctx);
    },
  );
  route(t, post('/git/credentials', 'Store credentials (Daytona compatibility)'), async (ctx) => {
    await git.storeCredentials(principal(ctx), id(ctx), {});
  });
}

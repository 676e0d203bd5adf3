// Git routes on a repository inside the sandbox (compat spec §4.8): status,
// branches, checkout, add, commit, history, init, reset, restore, config.
import { mkdir } from 'node:fs/promises';
import { AppError } from '../../common/errors.js';
import {
  GitAdd,
  GitBranch,
  GitCheckout,
  GitCommit,
  GitConfigureUser,
  GitInit,
  GitReset,
  GitRestore,
  GitScope,
  GitSetConfig,
} from '../../common/wire/toolbox.js';
import type { DaemonContext } from '../context.js';
import { strictPath } from '../files/strict-path.js';
import { readJson, sendJson, type Router } from '../router.js';
import { configKey, notOption, refName } from './refs.js';
import type { GitRunner } from './run.js';
import { LOG_FORMAT, parseLog, parsePorcelainV2 } from './status.js';

export function registerGit(router: Router, ctx: DaemonContext, git: GitRunner): void {
  const repo = (p: string | null | undefined) => git.dir(strictPath(ctx.paths, p));
  const done = (res: Parameters<Parameters<Router['on']>[2]>[0]['res']) => sendJson(res, 200, {});

  router.on('GET', '/git/status', async ({ query, res }) => {
    const cwd = await repo(query.get('path'));
    const r = await git.ok({
      op: 'status',
      cwd,
      args: ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all'],
    });
    sendJson(res, 200, parsePorcelainV2(r.stdout));
  });

  router.on('GET', '/git/branches', async ({ query, res }) => {
    const cwd = await repo(query.get('path'));
    const list = await git.ok({
      op: 'branch',
      cwd,
      args: ['for-each-ref', '--format=%(refname:short)', 'refs/heads/'],
    });
    const head = await git.run({ op: 'branch', cwd, args: ['symbolic-ref', '--short', '-q', 'HEAD'] });
    const current = head.exitCode === 0 ? head.stdout.trim() : undefined;
    sendJson(res, 200, { branches: list.stdout.split('\n').filter(Boolean), ...(current ? { current } : {}) });
  });

  // Like the reference daemon: creating a branch also switches to it.
  router.on('POST', '/git/branches', async ({ req, res }) => {
    const b = await readJson(req, GitBranch);
    const cwd = await repo(b.path);
    await git.ok({ op: 'branch', cwd, args: ['switch', '-c', refName(b.name)] });
    sendJson(res, 201, {});
  });

  router.on('DELETE', '/git/branches', async ({ req, res }) => {
    const b = await readJson(req, GitBranch);
    const cwd = await repo(b.path);
    await git.ok({ op: 'branch', cwd, args: ['branch', '-D', refName(b.name)] });
    res.writeHead(204).end();
  });

  router.on('POST', '/git/checkout', async ({ req, res }) => {
    const b = await readJson(req, GitCheckout);
    const cwd = await repo(b.path);
    const target = notOption(b.branch, 'branch');
    const r = await git.run({ op: 'checkout', cwd, args: ['switch', target] });
    if (r.exitCode !== 0) {
      // Not a branch: a tag or commit checks out detached, like `git checkout <rev>`.
      if (!/a branch is expected|invalid reference/i.test(r.output))
        throw await git.failure({ op: 'checkout', cwd, args: [] }, r);
      await git.ok({ op: 'checkout', cwd, args: ['switch', '--detach', target] });
    }
    done(res);
  });

  router.on('POST', '/git/add', async ({ req, res }) => {
    const b = await readJson(req, GitAdd);
    const cwd = await repo(b.path);
    await git.ok({ op: 'add', cwd, args: ['add', '--', ...b.files] });
    done(res);
  });

  router.on('POST', '/git/commit', async ({ req, res }) => {
    const b = await readJson(req, GitCommit);
    const cwd = await repo(b.path);
    const who = {
      GIT_AUTHOR_NAME: b.author,
      GIT_AUTHOR_EMAIL: b.email,
      GIT_COMMITTER_NAME: b.author,
      GIT_COMMITTER_EMAIL: b.email,
    };
    await git.ok({
      op: 'commit',
      cwd,
      env: who,
      stdin: b.message,
      args: ['commit', '-F', '-', ...(b.allow_empty ? ['--allow-empty'] : [])],
    });
    const head = await git.ok({ op: 'commit', cwd, args: ['rev-parse', 'HEAD'] });
    sendJson(res, 200, { hash: head.stdout.trim() });
  });

  router.on('GET', '/git/history', async ({ query, res }) => {
    const cwd = await repo(query.get('path'));
    const r = await git.run({ op: 'log', cwd, args: ['log', `--format=${LOG_FORMAT}`, '-n', '10000'] });
    if (r.exitCode !== 0) {
      if (/does not have any commits yet|bad default revision/i.test(r.output)) return sendJson(res, 200, []);
      throw await git.failure({ op: 'log', cwd, args: [] }, r);
    }
    sendJson(res, 200, parseLog(r.stdout));
  });

  router.on('POST', '/git/init', async ({ req, res }) => {
    const b = await readJson(req, GitInit);
    const dir = strictPath(ctx.paths, b.path);
    await mkdir(dir, { recursive: true }).catch(() => {});
    await git.dir(dir);
    await git.ok({
      op: 'init',
      cwd: dir,
      args: [
        'init',
        ...(b.bare ? ['--bare'] : []),
        ...(b.initial_branch ? [`--initial-branch=${refName(b.initial_branch)}`] : []),
      ],
    });
    sendJson(res, 201, {});
  });

  router.on('POST', '/git/reset', async ({ req, res }) => {
    const b = await readJson(req, GitReset);
    const cwd = await repo(b.path);
    const target = b.target ? [notOption(b.target, 'target')] : [];
    if (b.files?.length) {
      if (b.mode && b.mode !== 'mixed')
        throw new AppError('invalid_argument', `a ${b.mode} reset cannot be limited to files`, {
          reason: 'BAD_REQUEST',
          hint: 'omit mode (or use mixed) when passing files',
        });
      await git.ok({ op: 'reset', cwd, args: ['reset', '-q', ...target, '--', ...b.files] });
    } else await git.ok({ op: 'reset', cwd, args: ['reset', '-q', `--${b.mode ?? 'mixed'}`, ...target] });
    done(res);
  });

  router.on('POST', '/git/restore', async ({ req, res }) => {
    const b = await readJson(req, GitRestore);
    const cwd = await repo(b.path);
    const where = [...(b.staged ? ['--staged'] : []), ...(b.worktree ? ['--worktree'] : [])];
    const source = b.source ? [`--source=${notOption(b.source, 'source')}`] : [];
    await git.ok({ op: 'restore', cwd, args: ['restore', ...where, ...source, '--', ...b.files] });
    done(res);
  });

  const scopeCwd = async (scope: string, path: string | undefined): Promise<string> => {
    if (scope !== 'local') return path ? repo(path) : ctx.paths.workdir;
    if (!path)
      throw new AppError('invalid_argument', 'path is required for the local scope', {
        reason: 'BAD_REQUEST',
        hint: 'pass the repository path',
      });
    return repo(path);
  };
  const parseScope = (raw: string | null | undefined) => {
    const s = GitScope.safeParse(raw || 'global');
    if (!s.success)
      throw new AppError('invalid_argument', `scope must be global, local or system, not ${JSON.stringify(raw)}`, {
        reason: 'BAD_REQUEST',
      });
    return s.data;
  };

  router.on('GET', '/git/config', async ({ query, res }) => {
    const scope = parseScope(query.get('scope'));
    const key = configKey(query.get('key') ?? '');
    const cwd = await scopeCwd(scope, query.get('path') || undefined);
    const r = await git.run({ op: 'config', cwd, args: ['config', `--${scope}`, '--get', key] });
    if (r.exitCode === 1) return sendJson(res, 200, {});
    if (r.exitCode !== 0) throw await git.failure({ op: 'config', cwd, args: [] }, r);
    sendJson(res, 200, { value: r.stdout.replace(/\n$/, '') });
  });

  router.on('POST', '/git/config', async ({ req, res }) => {
    const b = await readJson(req, GitSetConfig);
    const scope = parseScope(b.scope);
    const cwd = await scopeCwd(scope, b.path);
    await git.ok({ op: 'config', cwd, args: ['config', `--${scope}`, configKey(b.key), b.value] });
    done(res);
  });

  router.on('POST', '/git/config/user', async ({ req, res }) => {
    const b = await readJson(req, GitConfigureUser);
    const scope = parseScope(b.scope);
    const cwd = await scopeCwd(scope, b.path);
    await git.ok({ op: 'config', cwd, args: ['config', `--${scope}`, 'user.name', b.name] });
    await git.ok({ op: 'config', cwd, args: ['config', `--${scope}`, 'user.email', b.email] });
    done(res);
  });

  router.on('POST', '/git/credentials', () => {
    throw new AppError(
      'not_implemented',
      'Berth does not store git credentials in the sandbox (they would sit on disk in plain text)',
      {
        reason: 'NOT_IMPLEMENTED',
        hint: 'pass the credentials with each call instead — in the SDK git.clone(url, path, branch, commitId, username, password), git.push(path, username, password), git.pull(path, username, password); they reach git through a pipe and are never written down',
      },
    );
  });
}

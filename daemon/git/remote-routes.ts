// Git routes that talk to remotes (compat spec §4.8): clone, push, pull and
// remotes. Credentials from the request (or the URL) go to git's pipe only.
import { AppError } from '../../common/errors.js';
import { GitAddRemote, GitClone, GitRemoteOp } from '../../common/wire/toolbox.js';
import type { DaemonContext } from '../context.js';
import { strictPath } from '../files/strict-path.js';
import { readJson, sendJson, type Router } from '../router.js';
import { notOption, refName } from './refs.js';
import { splitUrlCredentials, type GitRunner } from './run.js';

export function registerGitRemotes(router: Router, ctx: DaemonContext, git: GitRunner): void {
  const repo = (p: string | null | undefined) => git.dir(strictPath(ctx.paths, p));

  const remoteUrl = async (cwd: string, remote: string) => {
    const r = await git.run({ op: 'remote', cwd, args: ['remote', 'get-url', '--', remote] });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  };
  const currentBranch = async (cwd: string, op: string) => {
    const r = await git.run({ op, cwd, args: ['symbolic-ref', '--short', '-q', 'HEAD'] });
    if (r.exitCode !== 0)
      throw new AppError('failed_precondition', `HEAD is detached; there is no current branch to ${op}`, {
        reason: 'GIT_BRANCH_NOT_FOUND',
        hint: 'pass branch, or check out a branch first',
      });
    return r.stdout.trim();
  };

  router.on('POST', '/git/clone', async ({ req, res }) => {
    const b = await readJson(req, GitClone);
    const dest = strictPath(ctx.paths, b.path);
    const { url, creds } = splitUrlCredentials(notOption(b.url, 'url'), { username: b.username, password: b.password });
    const pre = b.insecure_skip_tls ? ['-c', 'http.sslVerify=false'] : [];
    const args = [
      'clone',
      ...(b.branch ? ['--branch', refName(b.branch)] : []),
      ...(b.depth ? ['--depth', String(b.depth)] : []),
      '--',
      url,
      dest,
    ];
    await git.ok({ op: 'clone', cwd: ctx.paths.workdir, args, creds, pre, url, abortOn: res.stream });
    if (b.commit_id) {
      const commit = notOption(b.commit_id, 'commit_id');
      const r = await git.run({ op: 'checkout', cwd: dest, args: ['switch', '--detach', commit] });
      if (r.exitCode !== 0) {
        // Outside the shallow history or the cloned branch: fetch just that commit.
        await git.ok({
          op: 'fetch',
          cwd: dest,
          args: ['fetch', ...(b.depth ? ['--depth', String(b.depth)] : []), 'origin', commit],
          creds,
          pre,
          url,
          abortOn: res.stream,
        });
        await git.ok({ op: 'checkout', cwd: dest, args: ['switch', '--detach', 'FETCH_HEAD'] });
      }
    }
    sendJson(res, 200, { path: dest });
  });

  router.on('POST', '/git/push', async ({ req, res }) => {
    const b = await readJson(req, GitRemoteOp);
    const cwd = await repo(b.path);
    const remote = notOption(b.remote || 'origin', 'remote');
    const branch = refName(b.branch || (await currentBranch(cwd, 'push')));
    const creds = { username: b.username, password: b.password };
    await git.ok({
      op: 'push',
      cwd,
      args: ['push', ...(b.set_upstream ? ['--set-upstream'] : []), remote, branch],
      creds,
      url: await remoteUrl(cwd, remote),
      abortOn: res.stream,
    });
    sendJson(res, 200, {});
  });

  router.on('POST', '/git/pull', async ({ req, res }) => {
    const b = await readJson(req, GitRemoteOp);
    const cwd = await repo(b.path);
    const creds = { username: b.username, password: b.password };
    let target: string[] = [];
    if (b.remote || b.branch)
      target = [notOption(b.remote || 'origin', 'remote'), ...(b.branch ? [refName(b.branch)] : [])];
    else {
      const upstream = await git.run({
        op: 'pull',
        cwd,
        args: ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}'],
      });
      if (upstream.exitCode !== 0) target = ['origin', await currentBranch(cwd, 'pull')];
    }
    const remote = target[0] ?? 'origin';
    await git.ok({
      op: 'pull',
      cwd,
      args: ['pull', '--no-rebase', '--no-edit', ...target],
      creds,
      url: await remoteUrl(cwd, remote),
      abortOn: res.stream,
    });
    sendJson(res, 200, {});
  });

  router.on('GET', '/git/remotes', async ({ query, res }) => {
    const cwd = await repo(query.get('path'));
    const r = await git.ok({ op: 'remote', cwd, args: ['remote', '-v'] });
    const remotes: { name: string; url: string }[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^(\S+)\t(.*) \(fetch\)$/.exec(line);
      if (m) remotes.push({ name: m[1]!, url: m[2]! });
    }
    sendJson(res, 200, { remotes });
  });

  router.on('POST', '/git/remotes', async ({ req, res }) => {
    const b = await readJson(req, GitAddRemote);
    const cwd = await repo(b.path);
    const name = refName(b.name, 'remote');
    const url = notOption(b.url, 'url');
    const exists = (await remoteUrl(cwd, name)) !== undefined;
    if (exists && !b.overwrite)
      throw new AppError('conflict', `remote ${name} already exists`, {
        reason: 'CONFLICT',
        hint: 'pass overwrite: true to replace its URL',
      });
    await git.ok({ op: 'remote', cwd, args: exists ? ['remote', 'set-url', name, url] : ['remote', 'add', name, url] });
    if (b.fetch) await git.ok({ op: 'fetch', cwd, args: ['fetch', name], url, abortOn: res.stream });
    sendJson(res, 201, {});
  });
}

// Git over real HTTP in a real sandbox: a repository made in the sandbox, a
// local bare remote, an authenticated HTTP remote served inside the sandbox
// (credentials must leave no trace), error codes, and the egress policy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertDaemonError, q, toolboxFixture, type Toolbox } from './fixture.js';
import type { Json } from '../helpers/json.js';

const SERVER = readFileSync(fileURLToPath(new URL('../../../test/toolbox/git-server.py', import.meta.url)), 'utf8');
const who = { author: 'Ada Tester', email: 'ada@example.com' };

describe('toolbox: git', () => {
  let t: Toolbox;
  before(async () => {
    t = await toolboxFixture();
  });
  after(async () => {
    await t?.close();
  });

  it('inits, stages, commits, branches, checks out, resets and restores a repository made in the sandbox', async () => {
    try {
      assert.equal((await t.tb('POST', '/git/init', { path: 'local', initial_branch: 'main' })).status, 201);
      await t.sh('cd local && echo one > a.txt && mkdir d && echo two > d/b.txt');
      const st = await t.tb('GET', `/git/status${q({ path: 'local' })}`);
      assert.equal(st.status, 200);
      assert.equal(st.body.currentBranch, 'main');
      assert.deepEqual(st.body.fileStatus, [
        { name: 'a.txt', staging: 'Untracked', worktree: 'Untracked', extra: '' },
        { name: 'd/b.txt', staging: 'Untracked', worktree: 'Untracked', extra: '' },
      ]);
      assert.deepEqual((await t.tb('GET', `/git/history${q({ path: 'local' })}`)).body, []);

      assert.equal((await t.tb('POST', '/git/add', { path: 'local', files: ['.'] })).status, 200);
      assert.deepEqual(
        (await t.tb('GET', `/git/status${q({ path: 'local' })}`)).body.fileStatus.map((f: Json) => f.staging),
        ['Added', 'Added'],
      );
      const c1 = await t.tb('POST', '/git/commit', { path: 'local', message: 'first\n\nwith body', ...who });
      assert.equal(c1.status, 200);
      assert.match(c1.body.hash, /^[0-9a-f]{40}$/);
      assertDaemonError(
        await t.tb('POST', '/git/commit', { path: 'local', message: 'nothing', ...who }),
        409,
        'CONFLICT',
      );
      const c2 = await t.tb('POST', '/git/commit', { path: 'local', message: 'empty', ...who, allow_empty: true });
      const log = await t.tb('GET', `/git/history${q({ path: 'local' })}`);
      assert.deepEqual(
        log.body.map((e: Json) => [e.hash, e.message, e.author, e.email]),
        [
          [c2.body.hash, 'empty', who.author, who.email],
          [c1.body.hash, 'first\n\nwith body', who.author, who.email],
        ],
      );
      assert.ok(!Number.isNaN(Date.parse(log.body[0].timestamp)));

      assert.equal((await t.tb('POST', '/git/branches', { path: 'local', name: 'feature/x' })).status, 201);
      assertDaemonError(
        await t.tb('POST', '/git/branches', { path: 'local', name: 'feature/x' }),
        409,
        'GIT_BRANCH_EXISTS',
      );
      assertDaemonError(await t.tb('POST', '/git/branches', { path: 'local', name: '-rf' }), 400, 'BAD_REQUEST');
      assert.deepEqual((await t.tb('GET', `/git/branches${q({ path: 'local' })}`)).body, {
        branches: ['feature/x', 'main'],
        current: 'feature/x',
      });
      await t.sh('cd local && echo changed > a.txt');
      assertDaemonError(
        await t.tb('POST', '/git/checkout', { path: 'local', branch: 'nope' }),
        404,
        'GIT_BRANCH_NOT_FOUND',
      );
      await t.tb('POST', '/git/add', { path: 'local', files: ['a.txt'] });
      await t.tb('POST', '/git/commit', { path: 'local', message: 'on feature', ...who });
      assert.equal((await t.tb('POST', '/git/checkout', { path: 'local', branch: 'main' })).status, 200);
      assert.equal((await t.sh('cat local/a.txt')).result, 'one\n');
      const del = await t.tb('DELETE', '/git/branches', { path: 'local', name: 'feature/x' });
      assert.equal(del.status, 204, JSON.stringify(del.body));
      assertDaemonError(
        await t.tb('DELETE', '/git/branches', { path: 'local', name: 'feature/x' }),
        404,
        'GIT_BRANCH_NOT_FOUND',
      );
      // Checking out a commit detaches HEAD.
      await t.tb('POST', '/git/checkout', { path: 'local', branch: c1.body.hash });
      assert.equal((await t.tb('GET', `/git/status${q({ path: 'local' })}`)).body.detached, true);
      await t.tb('POST', '/git/checkout', { path: 'local', branch: 'main' });

      // Restore: discard a worktree change, unstage a staged one; reset --hard.
      await t.sh('cd local && echo dirty > a.txt && echo staged > d/b.txt && git add d/b.txt');
      assert.equal((await t.tb('POST', '/git/restore', { path: 'local', files: ['a.txt'] })).status, 200);
      assert.equal((await t.sh('cat local/a.txt')).result, 'one\n');
      await t.tb('POST', '/git/restore', { path: 'local', files: ['d/b.txt'], staged: true });
      assert.deepEqual((await t.tb('GET', `/git/status${q({ path: 'local' })}`)).body.fileStatus, [
        { name: 'd/b.txt', staging: 'Unmodified', worktree: 'Modified', extra: '' },
      ]);
      assert.equal(
        (await t.tb('POST', '/git/reset', { path: 'local', mode: 'hard', target: c1.body.hash })).status,
        200,
      );
      assert.equal((await t.tb('GET', `/git/history${q({ path: 'local' })}`)).body.length, 1);
      assert.deepEqual((await t.tb('GET', `/git/status${q({ path: 'local' })}`)).body.fileStatus, []);

      // Config at local and global scope.
      await t.tb('POST', '/git/config/user', {
        name: 'Local Name',
        email: 'l@example.com',
        scope: 'local',
        path: 'local',
      });
      assert.deepEqual(
        (await t.tb('GET', `/git/config${q({ key: 'user.name', scope: 'local', path: 'local' })}`)).body,
        { value: 'Local Name' },
      );
      assert.deepEqual((await t.tb('GET', `/git/config${q({ key: 'user.nothing' })}`)).body, {});
      await t.tb('POST', '/git/config', { key: 'berth.test', value: 'yes' });
      assert.deepEqual((await t.tb('GET', `/git/config${q({ key: 'berth.test' })}`)).body, { value: 'yes' });
      assertDaemonError(
        await t.tb('POST', '/git/config', { key: 'core.x', value: '1', scope: 'system' }),
        403,
        'FILE_ACCESS_DENIED',
      );
      assertDaemonError(await t.tb('GET', `/git/config${q({ key: 'user.name', scope: 'local' })}`), 400, 'BAD_REQUEST');
    } finally {
      await t.sh('rm -rf local; git config --global --unset berth.test || true');
    }
  });

  it('answers paths that are not repositories with typed errors', async () => {
    assertDaemonError(await t.tb('GET', `/git/status${q({ path: 'no-such-dir' })}`), 404, 'GIT_REPO_NOT_FOUND');
    assertDaemonError(await t.tb('GET', `/git/status${q({ path: '/tmp' })}`), 404, 'GIT_REPO_NOT_FOUND');
    assertDaemonError(await t.tb('GET', '/git/status'), 400, 'BAD_REQUEST');
    assertDaemonError(await t.tb('POST', '/git/add', { path: '/tmp', files: [] }), 400, 'INVALID_REQUEST_BODY');
    assertDaemonError(await t.tb('POST', '/git/credentials', { username: 'u', password: 'p' }), 501, 'NOT_IMPLEMENTED');
  });

  it('clones, pushes and pulls with a local bare repository, and reports rejections and conflicts', async () => {
    try {
      await t.sh('git init -q --bare -b main /tmp/origin.git');
      await t.tb('POST', '/git/init', { path: 'work', initial_branch: 'main' });
      await t.sh('cd work && echo base > f.txt');
      await t.tb('POST', '/git/add', { path: 'work', files: ['f.txt'] });
      await t.tb('POST', '/git/commit', { path: 'work', message: 'base', ...who });
      assert.equal(
        (await t.tb('POST', '/git/remotes', { path: 'work', name: 'origin', url: '/tmp/origin.git' })).status,
        201,
      );
      assertDaemonError(
        await t.tb('POST', '/git/remotes', { path: 'work', name: 'origin', url: '/elsewhere' }),
        409,
        'CONFLICT',
      );
      assert.deepEqual((await t.tb('GET', `/git/remotes${q({ path: 'work' })}`)).body, {
        remotes: [{ name: 'origin', url: '/tmp/origin.git' }],
      });
      const pushed = await t.tb('POST', '/git/push', { path: 'work', set_upstream: true });
      assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
      const st = (await t.tb('GET', `/git/status${q({ path: 'work' })}`)).body;
      assert.deepEqual([st.upstream, st.branchPublished, st.ahead, st.behind], ['origin/main', true, 0, 0]);

      const cl = await t.tb('POST', '/git/clone', { url: '/tmp/origin.git', path: 'copy' });
      assert.equal(cl.status, 200, JSON.stringify(cl.body));
      assert.equal((await t.sh('cat copy/f.txt')).result, 'base\n');
      assertDaemonError(await t.tb('POST', '/git/clone', { url: '/tmp/origin.git', path: 'copy' }), 409, 'CONFLICT');
      assertDaemonError(
        await t.tb('POST', '/git/clone', { url: '/tmp/none.git', path: 'x' }),
        404,
        'GIT_REPO_NOT_FOUND',
      );
      assertDaemonError(
        await t.tb('POST', '/git/clone', { url: '/tmp/origin.git', path: 'y', branch: 'nope' }),
        404,
        'GIT_BRANCH_NOT_FOUND',
      );

      // A change pushed from the clone arrives with pull.
      await t.sh(
        'cd copy && echo more >> f.txt && git -c user.name=x -c user.email=x@y commit -qam more && git push -q origin main',
      );
      assert.equal((await t.tb('POST', '/git/pull', { path: 'work' })).status, 200);
      assert.equal((await t.sh('cat work/f.txt')).result, 'base\nmore\n');

      // Diverged: push is rejected, pull conflicts.
      await t.sh(
        'cd copy && echo theirs > f.txt && git -c user.name=x -c user.email=x@y commit -qam theirs && git push -q origin main',
      );
      await t.sh('cd work && echo mine > f.txt');
      assertDaemonError(await t.tb('POST', '/git/pull', { path: 'work' }), 409, 'GIT_DIRTY_WORKTREE');
      await t.tb('POST', '/git/add', { path: 'work', files: ['f.txt'] });
      await t.tb('POST', '/git/commit', { path: 'work', message: 'mine', ...who });
      assertDaemonError(await t.tb('POST', '/git/push', { path: 'work' }), 409, 'GIT_PUSH_REJECTED');
      await t.tb('POST', '/git/config/user', {
        ...{ name: who.author, email: who.email },
        scope: 'local',
        path: 'work',
      });
      assertDaemonError(await t.tb('POST', '/git/pull', { path: 'work' }), 409, 'GIT_MERGE_CONFLICT');
      const conflicted = (await t.tb('GET', `/git/status${q({ path: 'work' })}`)).body;
      assert.deepEqual(conflicted.fileStatus, [
        { name: 'f.txt', staging: 'Updated but unmerged', worktree: 'Updated but unmerged', extra: '' },
      ]);

      // Clone of a given commit, shallow.
      const first = (await t.tb('GET', `/git/history${q({ path: 'copy' })}`)).body.at(-1).hash;
      const pinned = await t.tb('POST', '/git/clone', {
        url: 'file:///tmp/origin.git',
        path: 'pinned',
        commit_id: first,
        depth: 1,
      });
      assert.equal(pinned.status, 200, JSON.stringify(pinned.body));
      assert.equal((await t.sh('cd pinned && git rev-parse HEAD && cat f.txt')).result, `${first}\nbase\n`);
    } finally {
      await t.sh('rm -rf /tmp/origin.git work copy pinned');
    }
  });

  it('authenticates over HTTP through a pipe only: no trace in /proc, files or errors', async () => {
    const password = 'pw-9f8e7d6c5b4a';
    try {
      await t.sh(
        'git init -q --bare -b main /tmp/srv/auth.git && git -C /tmp/srv/auth.git config http.receivepack true',
      );
      const up = await fetch(`${t.stack.url}/toolbox/${t.id}/files/upload-v2?path=/tmp/git-server.py`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.stack.key}`, 'content-type': 'application/octet-stream' },
        body: SERVER,
      });
      assert.equal(up.status, 200, `upload: ${up.status} ${await up.text()}`);
      await t.tb('POST', '/process/session', { sessionId: 'git-http' });
      await t.tb('POST', '/process/session/git-http/exec', {
        command: `exec python3 /tmp/git-server.py /tmp/srv alice ${password} 8471`,
        runAsync: true,
      });
      for (let i = 0; i < 50 && !(await t.tb('GET', '/port/8471/in-use')).body.isInUse; i++)
        await new Promise((r) => setTimeout(r, 100));
      const url = 'http://127.0.0.1:8471/auth.git';

      assertDaemonError(await t.tb('POST', '/git/clone', { url, path: 'a1' }), 401, 'GIT_AUTH_FAILED');
      const wrong = await t.tb('POST', '/git/clone', {
        url,
        path: 'a1',
        username: 'alice',
        password: 'not-the-password',
      });
      assertDaemonError(wrong, 401, 'GIT_AUTH_FAILED');
      assert.doesNotMatch(JSON.stringify(wrong.body), /not-the-password/);

      // Watch every command line in the sandbox while the clone runs.
      await t.tb('POST', '/process/session', { sessionId: 'watch' });
      const watch = await t.tb('POST', '/process/session/watch/exec', {
        command:
          'rm -f /tmp/stop-watch; while [ ! -e /tmp/stop-watch ]; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "; echo; done > /tmp/cmdlines.txt',
        runAsync: true,
      });
      const ok = await t.tb('POST', '/git/clone', { url, path: 'a1', username: 'alice', password });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      await t.sh('touch /tmp/stop-watch');
      await t.tb('POST', '/process/session/watch/exec', { command: 'true' }); // queued behind the watcher: returns when it ends
      assert.equal((await t.tb('GET', `/process/session/watch/command/${watch.body.cmdId}`)).body.exitCode, 0);
      assert.match((await t.sh('cat /tmp/cmdlines.txt')).result, /git.*clone/, 'the watcher saw the clone');

      // Push with credentials; then look for the password anywhere it could have landed.
      await t.sh(
        'cd a1 && git symbolic-ref HEAD refs/heads/main && echo hi > x && git add x && git -c user.name=x -c user.email=x@y commit -qm x',
      );
      const push = await t.tb('POST', '/git/push', { path: 'a1', username: 'alice', password, branch: 'main' });
      assert.equal(push.status, 200, JSON.stringify(push.body));
      const pull = await t.tb('POST', '/git/pull', { path: 'a1', username: 'alice', password });
      assert.equal(pull.status, 200, JSON.stringify(pull.body));
      const leaks = await t.sh(
        `grep -rlsF -- '${password}' /tmp /home /etc /var/tmp 2>/dev/null | grep -v '^/tmp/cmdlines.txt$' | grep -v '^/proc' ; cat /tmp/cmdlines.txt | grep -cF -- '${password}' ; cat a1/.git/config`,
      );
      // The server's own command line holds it (by design of this test), so only its line may match.
      const lines = leaks.result.split('\n');
      assert.ok(
        !lines.some((l) => l.startsWith('/') && !l.includes('git-server')),
        `no file holds the password:\n${leaks.result}`,
      );
      const cmdlineHits = (
        await t.sh(`grep -F -- '${password}' /tmp/cmdlines.txt | grep -vc git-server.py`)
      ).result.trim();
      assert.equal(cmdlineHits, '0', 'no command line but the server’s shows the password');
      assert.match(leaks.result, /url = http:\/\/127\.0\.0\.1:8471\/auth\.git\n/);
      assert.ok(
        !/password|helper/.test(
          (await t.sh('git config --global --list 2>/dev/null; cat ~/.git-credentials 2>/dev/null; echo')).result,
        ),
      );

      // Credentials in the URL are moved out of it, so .git/config stays clean.
      const inUrl = await t.tb('POST', '/git/clone', {
        url: `http://alice:${password}@127.0.0.1:8471/auth.git`,
        path: 'a2',
      });
      assert.equal(inUrl.status, 200, JSON.stringify(inUrl.body));
      assert.equal((await t.sh('git -C a2 remote get-url origin')).result, `${url}\n`);
    } finally {
      await t.tb('DELETE', '/process/session/git-http');
      await t.tb('DELETE', '/process/session/watch');
      await t.sh('rm -rf /tmp/srv /tmp/git-server.py /tmp/cmdlines.txt /tmp/stop-watch a1 a2');
    }
  });

  it('says when the sandbox network policy blocks a remote', async () => {
    for (const host of ['169.254.169.254', '172.17.0.1']) {
      const r = await t.tb('POST', '/git/clone', { url: `http://${host}/x.git`, path: 'blocked' });
      assertDaemonError(r, 502, 'GIT_TRANSPORT_FAILED');
      assert.match(
        r.body.message,
        new RegExp(`${host.replace(/\./g, '\\.')} is blocked by the sandbox network policy`),
      );
    }
  });
});

// Git through the SDK, on a repository created inside the sandbox and with a
// local bare repository as the remote (clone, push, pull, branches, status).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaytonaError, type Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';

const who = ['Berth Test', 'test@example.com'] as const;

describe('SDK: git', () => {
  let t: SdkStack;
  let s: Sandbox;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox();
  });
  after(async () => {
    await t?.close();
  });

  it('works on a repository created in the sandbox', async () => {
    await s.git.init('repo', false, 'main');
    await s.fs.uploadFile(Buffer.from('hello\n'), 'repo/README.md');
    let st = await s.git.status('repo');
    assert.equal(st.currentBranch, 'main');
    assert.deepEqual(
      st.fileStatus.map((f) => [f.name, f.worktree]),
      [['README.md', 'Untracked']],
    );
    await s.git.add('repo', ['README.md']);
    const commit = await s.git.commit('repo', 'first', ...who);
    assert.match(commit.sha, /^[0-9a-f]{40}$/);
    st = await s.git.status('repo');
    assert.deepEqual(st.fileStatus, []);
    await s.git.createBranch('repo', 'feature');
    await s.git.checkoutBranch('repo', 'feature');
    const branches = await s.git.branches('repo');
    assert.deepEqual([...branches.branches].sort(), ['feature', 'main']);
    assert.equal((await s.git.status('repo')).currentBranch, 'feature');
    await s.git.checkoutBranch('repo', 'main');
    await s.git.deleteBranch('repo', 'feature');
    assert.deepEqual((await s.git.branches('repo')).branches, ['main']);
    const log = await s.process.executeCommand('git log --format="%an <%ae> %s"', 'repo');
    assert.equal(log.result.trim(), 'Berth Test <test@example.com> first');
  });

  it('clones, pushes and pulls with a local bare repository', async () => {
    await s.process.executeCommand('git init -q --bare -b main /tmp/origin.git');
    await s.git.remoteAdd('repo', 'origin', '/tmp/origin.git');
    assert.equal(await s.git.remoteGet('repo', 'origin'), '/tmp/origin.git');
    await s.git.push('repo', undefined, undefined, 'main', 'origin', true);

    await s.git.clone('file:///tmp/origin.git', 'copy');
    assert.equal((await s.fs.downloadFile('copy/README.md')).toString(), 'hello\n');
    await s.fs.uploadFile(Buffer.from('from the copy\n'), 'copy/NEW.md');
    await s.git.add('copy', ['NEW.md']);
    await s.git.commit('copy', 'second', ...who);
    await s.git.push('copy');

    await s.git.pull('repo');
    assert.equal((await s.fs.downloadFile('repo/NEW.md')).toString(), 'from the copy\n');
    const st = await s.git.status('repo');
    assert.equal(st.ahead ?? 0, 0);
    assert.equal(st.behind ?? 0, 0);
    await assert.rejects(s.git.clone('/tmp/nothing-here.git', 'nothing'), DaytonaError);
  });
});

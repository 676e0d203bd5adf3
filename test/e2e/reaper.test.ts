// The reaper removes what no sandbox of the store owns (after a crash), and
// never what a create in progress has just made: reaping runs without pause
// while sandboxes are created, and every one of them stays whole.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, exec, readyNetns, startStack, type Stack } from '../helpers/stack.js';
import { containerOf, runnerHolders } from '../helpers/docker.js';

describe('reaper during creates', () => {
  let stack: Stack;
  const N = 8;
  before(async () => {
    // A network namespace ready for every sandbox, so each one claims one while the reaper runs.
    stack = await startStack({ config: { netnsPool: N } });
    await readyNetns(stack, N);
  });
  after(async () => stack?.close());

  it('never reaps a sandbox, or its network namespace, made while it runs', { timeout: 180_000 }, async () => {
    let reaping = true;
    let rounds = 0;
    const reaped: string[] = [];
    const loop = (async () => {
      while (reaping) {
        reaped.push(...(await stack.server.orch.reap()));
        rounds++;
      }
    })();
    const ids: string[] = [];
    try {
      for (let i = 0; i < N; i++) ids.push((await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 })).id);
    } finally {
      reaping = false;
      await loop;
    }
    assert.ok(rounds >= N, `the reaper ran throughout (${rounds} rounds)`);
    assert.deepEqual(
      reaped.filter((id) => ids.includes(id)),
      [],
      'no new sandbox was taken for an orphan',
    );
    const holders = await runnerHolders(stack.runnerId);
    for (const id of ids) {
      assert.equal((await containerOf(id).inspect()).State.Running, true, `sandbox ${id} runs`);
      assert.ok(holders.includes(`berth-netns-${id}`), `sandbox ${id} keeps its network namespace`);
      assert.equal((await exec(stack, id, 'echo ok')).result, 'ok\n');
    }
  });
});

// Crash safety of the warm pool: the server is killed with SIGKILL while it
// fills the pool and at each step of a claim, then started again. A claimed
// sandbox must come up once with everything its create asked for; no member
// may be handed out twice, lost, or left behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerOf, runnerContainers, runnerHolders } from '../helpers/docker.js';
import { crashRig, type CrashRig } from '../helpers/crash-rig.js';
import type { Json } from '../helpers/json.js';

describe('crash safety of the warm pool (kill -9 while filling and claiming)', () => {
  let rig: CrashRig;
  const api = (method: string, path: string, body?: unknown) => rig.api(method, path, body);
  const crashDuring = (point: string, trigger: () => Promise<unknown>) => rig.crashDuring(point, trigger);
  const settledState = (id: string) => rig.settledState(id);
  const ready = async () => {
    for (let i = 0; i < 1200; i++) {
      const g = (await api('GET', '/snapshots')).body?.items?.find((s: Json) => s.general);
      if (g?.warmPool?.ready === 1) return;
      await sleep(100);
    }
    assert.fail('the warm pool never filled');
  };
  /** Every container and holder of the runner belongs to a sandbox or to the one member the pool wants. */
  const accountedFor = async (sandboxes: string[]) => {
    await ready();
    const all = (await runnerContainers(rig.runnerId)).map((c) => c.Labels['berth.sandbox']!);
    const members = all.filter((id) => !sandboxes.includes(id));
    assert.equal(members.length, 1, `one warm member besides the sandboxes: ${JSON.stringify(all)}`);
    for (const id of sandboxes) assert.equal(all.filter((x) => x === id).length, 1, `sandbox ${id} has one container`);
    const holders = await runnerHolders(rig.runnerId);
    for (const h of holders.filter((n) => !n.startsWith('berth-netns-pool-'))) {
      assert.ok(
        [...sandboxes, ...members].some((id) => h === `berth-netns-${id}`),
        `holder ${h} belongs to something`,
      );
    }
  };

  before(async () => {
    rig = await crashRig('crash-warm', {
      BERTH_WARM_POOL: '1',
      BERTH_WARM_POOL_CHECK_SECONDS: '0.3',
      BERTH_WARM_POOL_MAX_LOAD: '1000',
      BERTH_WARM_POOL_MIN_FREE_MEMORY_PERCENT: '0',
      BERTH_RATE_LIMIT_CREATE: '0',
    });
    await rig.up();
  });
  after(() => rig?.close());

  it('fill: killed after a member started, the restart retires it and fills the pool anew', async () => {
    await ready();
    const before = (await runnerContainers(rig.runnerId)).map((c) => c.Labels['berth.sandbox']);
    await crashDuring('pool:started', async () => {}); // the boot's own fill dies (the old member is retired first)
    await accountedFor([]);
    const after = (await runnerContainers(rig.runnerId)).map((c) => c.Labels['berth.sandbox']);
    assert.ok(!after.some((id) => before.includes(id)), 'the members of the killed processes are gone');
  });

  for (const point of ['claim:inserted', 'claim:limits', 'claim:applied', 'reconcile:start:done']) {
    it(`claim: killed at ${point}, the sandbox comes up once with its env and limits, and the member is never handed out again`, async () => {
      await ready();
      const name = `crash-${point.replace(/:/g, '-')}`;
      let warm: string | null = null;
      await crashDuring(point, async () => {
        await ready(); // the restarted server retired the old members: claim one of its own
        warm = (
          await api('POST', '/sandbox', {
            name,
            cpu: 1,
            memory: 1,
            disk: 2,
            env: { CLAIMED: name },
            autoStopInterval: 0,
          })
        ).warm;
      });
      assert.equal(warm, null, 'the create never answered');
      const list = await api('GET', `/sandbox?name=${name}`);
      assert.equal(list.body.items.length, 1);
      const id = list.body.items[0].id;
      assert.equal(await settledState(id), 'started');
      assert.equal(
        (await api('POST', `/toolbox/${id}/process/execute`, { command: 'echo $CLAIMED' })).body.result,
        `${name}\n`,
      );
      assert.equal((await containerOf(id).inspect()).HostConfig.Memory, 1024 ** 3);
      await accountedFor([id]);
      // The next create claims another member, never this one.
      const next = await api('POST', '/sandbox', { name: `${name}-next`, autoStopInterval: 0 });
      assert.equal(next.warm, 'hit');
      assert.notEqual(next.body.id, id);
      await accountedFor([id, next.body.id]);
      for (const s of [id, next.body.id]) await api('DELETE', `/sandbox/${s}`);
      await accountedFor([]);
    });
  }
});

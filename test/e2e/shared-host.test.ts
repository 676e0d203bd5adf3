// Several Berth servers on one host (replicas, a second install): started at
// the same moment on a host that has no sandbox network yet, each comes up
// and runs sandboxes on the one network they share.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import { docker } from '../helpers/docker.js';

describe('servers sharing a host', () => {
  const networkName = `berth-t${randomInt(1e6)}`;
  const config = { networkName, networkSubnet: `10.${200 + randomInt(50)}.${randomInt(256)}.0/24`, enforceEgress: false };
  const stacks: Stack[] = [];
  after(async () => {
    for (const s of stacks) await s.close();
    await docker.getNetwork(networkName).remove().catch(() => {});
  });

  it('start at once on a host without their network, and both run sandboxes', async () => {
    const started = await Promise.allSettled([startStack({ config }), startStack({ config })]);
    for (const r of started) if (r.status === 'fulfilled') stacks.push(r.value);
    assert.deepEqual(started.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'up')), ['up', 'up']);
    const networks = await docker.listNetworks({ filters: { name: [networkName] } });
    assert.equal(networks.filter((n) => n.Name === networkName).length, 1, 'one network, made once');
    for (const stack of stacks) {
      const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 });
      assert.equal((await exec(stack, s.id, 'echo up')).result, 'up\n');
    }
  });
});

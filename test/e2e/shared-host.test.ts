// Several Berth servers on one host (replicas, a second install): started at
// the same moment on a host that has no sandbox network yet, each comes up
// and runs sandboxes on the one network and egress rules they share.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import { docker } from '../helpers/docker.js';
import { skipOrFail } from '../helpers/strict.js';

const JUMPS: [table: string, chain: string][] = [
  ['filter', 'DOCKER-USER'],
  ['filter', 'INPUT'],
  ['nat', 'PREROUTING'],
];
/** The rules of the host's chains that jump from this bridge into Berth's. */
const jumpsFrom = (bridge: string) =>
  JUMPS.flatMap(([table, chain]) =>
    execFileSync('iptables', ['-w', '5', '-t', table, '-S', chain], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(`-i ${bridge} `))
      .map((l) => ({ table, rule: l })),
  );
const removeJumpsFrom = (bridge: string) => {
  for (const { table, rule } of jumpsFrom(bridge))
    execFileSync('iptables', ['-w', '5', '-t', table, ...rule.replace(/^-A /, '-D ').split(' ')]);
};

describe('servers sharing a host', () => {
  const networkName = `bt${randomInt(1e6)}`;
  const config = { networkName, networkSubnet: `10.${200 + randomInt(50)}.${randomInt(256)}.0/24` };
  const stacks: Stack[] = [];
  let bridge = '';
  after(async () => {
    for (const s of stacks) await s.close();
    await docker
      .getNetwork(networkName)
      .remove()
      .catch(() => {});
    // The jumps outlive a network (other Berths may share it); this one was the test's own.
    if (bridge) removeJumpsFrom(bridge);
  });

  it('start at once on a host without their network, and both run sandboxes', async () => {
    const started = await Promise.allSettled([startStack({ config }), startStack({ config })]);
    for (const r of started) if (r.status === 'fulfilled') stacks.push(r.value);
    const net = await docker
      .getNetwork(networkName)
      .inspect()
      .catch(() => null);
    bridge = net?.Options?.['com.docker.network.bridge.name'] ?? '';
    assert.deepEqual(
      started.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'up')),
      ['up', 'up'],
    );
    const networks = await docker.listNetworks({ filters: { name: [networkName] } });
    assert.equal(networks.filter((n) => n.Name === networkName).length, 1, 'one network, made once');
    for (const stack of stacks) {
      const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 });
      assert.equal((await exec(stack, s.id, 'echo up')).result, 'up\n');
    }
  });

  it('put each jump into their egress chains in once when they start together (here after a reboot wiped them)', async (t) => {
    if (stacks[0]?.server.runner.engineInfo()?.egress !== 'enforced')
      return skipOrFail(
        t,
        `egress is not enforced on this host (${stacks[0]?.server.runner.engineInfo()?.egress ?? 'no engine'}: needs root and iptables)`,
      );
    removeJumpsFrom(bridge);
    const started = await Promise.allSettled([startStack({ config }), startStack({ config })]);
    for (const r of started) if (r.status === 'fulfilled') stacks.push(r.value);
    assert.deepEqual(
      started.map((r) => r.status),
      ['fulfilled', 'fulfilled'],
    );
    const rules = jumpsFrom(bridge).map((j) => j.rule);
    assert.equal(rules.length, 4, `each jump once:\n${rules.join('\n')}`);
    assert.equal(new Set(rules).size, 4);
  });
});

// Build limits: the cpu/memory caps and the sandbox network inside build
// steps, one build at a time per organization (the next waits, pending), the
// build timeout, and a build cancelled by deleting its snapshot leaving
// neither image nor container behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { otherOrgKey, sdkStack, type SdkStack } from '../sdk/helpers.js';
import { docker } from '../helpers/docker.js';
import type { Json } from '../helpers/json.js';

const BASE = 'berth/sandbox-base:latest';

async function waitState(t: SdkStack, name: string, states: string[], ms = 120_000): Promise<Json> {
  const until = Date.now() + ms;
  for (;;) {
    const s = (await t.stack.api('GET', `/snapshots/${name}`)).body;
    if (states.includes(s.state)) return s;
    if (Date.now() > until) throw new Error(`snapshot ${name} still ${s.state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const build = (t: SdkStack, name: string, dockerfile: string) =>
  t.stack.api('POST', '/snapshots', { name, buildInfo: { dockerfileContent: dockerfile } });

describe('images: build limits', () => {
  let t: SdkStack;
  before(async () => {
    t = await sdkStack({
      config: { buildConcurrency: 1, buildTimeoutMinutes: 0.25, buildCpu: 1, buildMemoryGiB: 0.5, buildCacheDays: 0 },
    });
  });
  after(async () => {
    await t?.close();
  });

  it('runs build steps with the build caps, on the sandbox network', async () => {
    const r = await build(
      t,
      'lim-caps',
      `FROM ${BASE}\nRUN echo "run ${Date.now()} mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) routes=$(grep -c 0000580A /proc/net/route)"\n`,
    );
    assert.equal(r.status, 200);
    const s = await waitState(t, 'lim-caps', ['active', 'build_failed']);
    assert.equal(s.state, 'active', s.errorReason);
    const log = (await t.stack.api('GET', `/snapshots/${s.id}/build-logs`)).body as string;
    assert.match(log, /mem=536870912 cpu=100000 routes=1/);
  });

  it('queues a second build of the organization while one runs', async () => {
    assert.equal((await build(t, 'lim-a', `FROM ${BASE}\nRUN sleep 4 && echo a-${Date.now()}\n`)).status, 200);
    assert.equal((await build(t, 'lim-b', `FROM ${BASE}\nRUN echo b-${Date.now()}\n`)).status, 200);
    await waitState(t, 'lim-a', ['building']);
    const b = (await t.stack.api('GET', '/snapshots/lim-b')).body;
    assert.equal(b.state, 'pending', 'waits for the running build');
    const a = await waitState(t, 'lim-a', ['active', 'build_failed']);
    assert.equal(a.state, 'active');
    assert.equal((await waitState(t, 'lim-b', ['active', 'build_failed'])).state, 'active');
  });

  it('stops a build that runs past the timeout, leaving no image', async () => {
    const t0 = Date.now();
    await build(t, 'lim-slow', `FROM ${BASE}\nRUN sleep 120\n`);
    const s = await waitState(t, 'lim-slow', ['active', 'build_failed']);
    assert.equal(s.state, 'build_failed');
    assert.match(s.errorReason, /longer than 0.25 minutes/);
    assert.ok(Date.now() - t0 < 60_000);
    await assert.rejects(docker.getImage(s.imageName).inspect(), /no such image/i);
    await waitNoContainer('sleep 120');
  });

  it('cancels a build when its snapshot is deleted, leaving neither image nor container', async () => {
    const marker = `sleep 97.${Date.now() % 1000}`;
    await build(t, 'lim-cancel', `FROM ${BASE}\nRUN echo step-one\nRUN ${marker}\n`);
    const s = await waitState(t, 'lim-cancel', ['building']);
    await waitContainer(marker);
    assert.equal((await t.stack.api('DELETE', '/snapshots/lim-cancel')).status, 204);
    await waitNoContainer(marker);
    await assert.rejects(docker.getImage(s.imageName).inspect(), /no such image/i);
    assert.equal((await t.stack.api('GET', '/snapshots/lim-cancel')).status, 404);
  });
});

describe('images: build cache', () => {
  let t: SdkStack;
  before(async () => {
    t = await sdkStack({ config: { buildCacheDays: 0 } });
  });
  after(async () => {
    await t?.close();
  });

  it("reuses an organization's own layers only", async () => {
    const dockerfile = `FROM ${BASE}\nRUN echo shared-line-${Date.now()}\n`;
    const logOf = async (key: string | null, name: string) => {
      const r = await t.stack.api(
        'POST',
        '/snapshots',
        { name, buildInfo: { dockerfileContent: dockerfile } },
        { key },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      for (let i = 0; i < 600; i++) {
        const s = (await t.stack.api('GET', `/snapshots/${name}`, undefined, { key })).body;
        if (s.state === 'active')
          return (await t.stack.api('GET', `/snapshots/${s.id}/build-logs`, undefined, { key })).body as string;
        assert.notEqual(s.state, 'build_failed', s.errorReason);
        await new Promise((res) => setTimeout(res, 200));
      }
      throw new Error(`${name} did not build`);
    };
    assert.doesNotMatch(await logOf(t.stack.key, 'cache-a1'), /Using cache/);
    assert.match(await logOf(t.stack.key, 'cache-a2'), /Using cache/, 'the same organization reuses its layers');
    const other = await otherOrgKey(t.stack, ['write:snapshots', 'delete:snapshots']);
    assert.doesNotMatch(await logOf(other.key, 'cache-b1'), /Using cache/, 'another organization does not');
  });

  it('prunes cached dynamic images nobody uses, never one a sandbox runs', async () => {
    const dockerfile = `FROM ${BASE}\nRUN echo cache-${Date.now()}\n`;
    const a = await t.stack.api('POST', '/sandbox', {
      cpu: 1,
      memory: 1,
      disk: 2,
      buildInfo: { dockerfileContent: dockerfile },
    });
    assert.equal(a.body.state, 'started', JSON.stringify(a.body));
    const image = a.body.image as string;
    assert.equal(await t.stack.server.orch.pruneImages(), 0, 'in use: kept');
    await docker.getImage(image).inspect();
    assert.equal((await t.stack.api('DELETE', `/sandbox/${a.body.id}`)).status, 200);
    for (let i = 0; i < 100 && (await t.stack.api('GET', `/sandbox/${a.body.id}`)).status !== 404; i++)
      await new Promise((r) => setTimeout(r, 200));
    assert.equal(await t.stack.server.orch.pruneImages(), 1);
    await assert.rejects(docker.getImage(image).inspect(), /no such image/i);
  });
});

const running = async (cmd: string) =>
  (await docker.listContainers({ all: true })).some((c) => c.Command.includes(cmd));
async function waitContainer(cmd: string): Promise<void> {
  for (let i = 0; i < 300 && !(await running(cmd)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(await running(cmd), `no build step running ${cmd}`);
}
async function waitNoContainer(cmd: string): Promise<void> {
  for (let i = 0; i < 300 && (await running(cmd)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!(await running(cmd)), `the build step running ${cmd} was left behind`);
}

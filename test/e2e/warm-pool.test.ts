// The warm pool: creates that match claim a started sandbox of no owner and
// get their env, labels, limits and network policy applied to it; requests it
// cannot serve start cold and say why (X-Berth-Warm); members are invisible,
// cost no quota, refill, and retire when their image is rebuilt.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerOf, docker, networkOf, runnerContainers } from '../helpers/docker.js';
import { exec, startStack, type Stack } from '../helpers/stack.js';
import type { Json } from '../helpers/json.js';

const run = promisify(execFile);
const GiB = 1024 ** 3;

describe('warm pool', () => {
  let stack: Stack;
  const tag = `berth-test/warm-${randomBytes(4).toString('hex')}:latest`;

  /** Containers of unclaimed members: made for the pool, with no sandbox of that id. */
  const members = async () => {
    const rows = await runnerContainers(stack.runnerId);
    const out: { id: string; image: string }[] = [];
    for (const c of rows) {
      if (c.Labels['berth.pool'] !== 'true') continue;
      const id = c.Labels['berth.sandbox']!;
      if ((await stack.api('GET', `/sandbox/${id}`)).status === 404) out.push({ id, image: c.ImageID });
    }
    return out;
  };
  const general = async () => (await stack.api('GET', '/snapshots')).body.items.find((s: Json) => s.general);
  /** Waits until the snapshot's pool reports `ready` members (each is a container start: slow on a busy host). */
  const poolReady = async (snapshot: string, ready: number) => {
    for (let i = 0; i < 1200; i++) {
      const s = (await stack.api('GET', `/snapshots/${snapshot}`)).body;
      if (s.warmPool?.ready === ready) return s;
      await sleep(100);
    }
    assert.fail(
      `the pool of ${snapshot} never had ${ready} ready: ${JSON.stringify((await stack.api('GET', `/snapshots/${snapshot}`)).body.warmPool)}`,
    );
  };
  const create = async (body: Record<string, unknown>) => {
    const r = await stack.api('POST', '/sandbox', { autoStopInterval: 0, ...body });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'started');
    return { s: r.body, warm: r.headers.get('x-berth-warm') };
  };

  /** Builds `tag` on top of `from` with a fresh label; returns its image id. */
  const build = async (from: string) =>
    (
      await run('sh', [
        '-c',
        `printf 'FROM ${from}\\nLABEL built=${randomBytes(4).toString('hex')}\\n' | docker build -q -t ${tag} -`,
      ])
    ).stdout.trim();

  before(async () => {
    // This file creates more sandboxes a minute than the default create rate limit allows.
    const config = {
      warmPool: 2,
      warmPoolCheckSeconds: 0.3,
      warmPoolMaxLoad: 1000,
      warmPoolMinFreeMemoryPercent: 0,
      rateLimitCreate: 0,
    };
    stack = await startStack({ config });
    // An image of its own (not just another tag of the base), so its members are told apart by image.
    await build('berth/sandbox-base:latest');
  });
  after(async () => {
    await stack?.close();
    await run('docker', ['rmi', '-f', tag]).catch(() => {});
  });

  it('fills the default pool; members are neither listed nor reachable by id, and cost no quota', async () => {
    const g = await poolReady((await general()).id, 2);
    assert.deepEqual(g.warmPool, { size: 2, ready: 2 });
    const ms = await members();
    assert.equal(ms.length, 2);
    assert.equal((await stack.api('GET', '/sandbox')).body.items.length, 0);
    for (const m of ms) {
      assert.equal((await stack.api('GET', `/sandbox/${m.id}`)).status, 404);
      assert.equal((await stack.api('POST', `/toolbox/${m.id}/process/execute`, { command: 'id' })).status, 404);
    }
    // The reaper keeps them: they are known, just not sandboxes.
    await stack.server.orch.reap();
    assert.equal((await members()).length, 2);
    const quotas = await stack.api('GET', '/quotas');
    assert.equal(quotas.status, 200);
    assert.equal(quotas.body.used.sandboxes, 0, JSON.stringify(quotas.body));
    assert.equal(quotas.body.used.cpu, 0, JSON.stringify(quotas.body));
  });

  it('a matching create claims one: env, labels, limits and egress are applied, and X-Berth-Warm says hit', async () => {
    await poolReady((await general()).id, 2);
    const before = new Set((await members()).map((m) => m.id));
    const { s, warm } = await create({
      name: 'warm-a',
      cpu: 1,
      memory: 1,
      disk: 2,
      env: { GREETING: 'hello-a' },
      labels: { team: 'ai' },
      networkAllowList: '1.1.1.1/32',
    });
    assert.equal(warm, 'hit');
    assert.ok(before.has(s.id), 'the sandbox is one of the members that were ready');
    assert.deepEqual(s.labels, { team: 'ai' });
    assert.equal((await exec(stack, s.id, 'echo $GREETING')).result, 'hello-a\n');
    const c = await containerOf(s.id).inspect();
    assert.equal(c.HostConfig.NanoCpus, 1e9);
    assert.equal(c.HostConfig.Memory, GiB);
    assert.ok(
      !c.Config.Env.some((e) => e.startsWith('GREETING=')),
      'the owner env goes through the daemon, not the pool-time container env',
    );
    const egress = await stack.server.runner.egressState(s.id);
    assert.ok(
      egress.filter.some((r) => r.includes('1.1.1.1/32')),
      JSON.stringify(egress),
    );
    // The owner sees nothing of the pool life: no files in /tmp or home, only the daemon runs.
    assert.equal((await exec(stack, s.id, 'ls -A /tmp | wc -l')).result.trim(), '0');
    // Besides this command's own pipeline, only the daemon (Node through the injected loader) runs.
    const ps = (await exec(stack, s.id, 'ps -eo comm= | sort')).result.split('\n').filter(Boolean);
    assert.deepEqual(
      ps.filter((c) => !['bash', 'ps', 'sort'].includes(c)),
      ['ld-linux-x86-64'],
      ps.join(' '),
    );
  });

  it("two claimed sandboxes never see each other's env or secrets; networkBlockAll is applied to a claimed one", async () => {
    await poolReady((await general()).id, 2);
    const secret = await stack.api('POST', '/secret', { name: 'warm-token', value: 'tok-123' });
    assert.equal(secret.status, 201, JSON.stringify(secret.body));
    const a = await create({ name: 'warm-b', env: { ONLY_B: 'b' }, secrets: [{ TOKEN: 'warm-token' }] });
    const b = await create({ name: 'warm-c', env: { ONLY_C: 'c' }, networkBlockAll: true });
    assert.equal(a.warm, 'hit');
    assert.equal(b.warm, 'hit');
    assert.equal((await exec(stack, a.s.id, 'echo "[$ONLY_B][$ONLY_C][$TOKEN]"')).result, '[b][][tok-123]\n');
    assert.equal((await exec(stack, b.s.id, 'echo "[$ONLY_B][$ONLY_C][$TOKEN]"')).result, '[][c][]\n');
    // Its own namespace or a holder's (when one was ready as the member started): either way, off the bridge.
    const net = await networkOf(b.s.id);
    assert.deepEqual(Object.keys(net.NetworkSettings.Networks), [], 'the blocked sandbox is off the bridge');
    const curl = await exec(stack, b.s.id, 'curl -s -m 2 -o /dev/null http://1.1.1.1 || echo unreachable');
    assert.match(curl.result, /unreachable/);
  });

  it('refills after claims, and an empty pool answers miss; reason=empty', async () => {
    const g = (await general()).id;
    assert.equal((await stack.api('PUT', `/snapshots/${g}/warm-pool`, { size: 1 })).status, 200);
    await poolReady(g, 1);
    const first = await create({});
    const second = await create({});
    assert.equal(first.warm, 'hit');
    assert.equal(second.warm, 'miss; reason=empty');
    const s = await poolReady(g, 1);
    assert.deepEqual(s.warmPool, { size: 1, ready: 1 });
    assert.equal((await members()).length, 1);
  });

  it('requests a pool cannot serve start cold and say why', async () => {
    await poolReady((await general()).id, 1);
    const vol = await stack.api('POST', '/volumes', { name: `warm-vol-${randomBytes(3).toString('hex')}` });
    assert.equal(vol.status, 200, JSON.stringify(vol.body));
    for (let i = 0; i < 100 && (await stack.api('GET', `/volumes/${vol.body.id}`)).body.state !== 'ready'; i++)
      await sleep(100);
    const cases: [Record<string, unknown>, string][] = [
      [{ volumes: [{ volumeId: vol.body.id, mountPath: '/data' }] }, 'miss; reason=volumes'],
      [{ user: 'root' }, 'miss; reason=user'],
      [{ memory: 8 }, 'miss; reason=class'],
    ];
    for (const [body, want] of cases) {
      const { s, warm } = await create(body);
      assert.equal(warm, want, JSON.stringify(body));
      await stack.api('DELETE', `/sandbox/${s.id}`);
    }
    const snap = await stack.api('POST', '/snapshots', {
      name: `warm-ep-${randomBytes(3).toString('hex')}`,
      imageName: 'berth/sandbox-base:latest',
      entrypoint: ['sleep', 'infinity'],
    });
    assert.equal(snap.status, 200, JSON.stringify(snap.body));
    const ep = await create({ snapshot: snap.body.name });
    assert.equal(ep.warm, 'miss; reason=image');
    await stack.api('DELETE', `/sandbox/${ep.s.id}`);
  });

  it('quota: pool members are not charged; a claim is', async () => {
    const org = stack.organizationId;
    for (const s of (await stack.api('GET', '/sandbox')).body.items) await stack.api('DELETE', `/sandbox/${s.id}`);
    const q = await stack.api('PUT', `/organizations/${org}/quotas`, { sandboxes: 1 });
    assert.equal(q.status, 200, JSON.stringify(q.body));
    try {
      await poolReady((await general()).id, 1);
      const { warm } = await create({});
      assert.equal(warm, 'hit');
      const over = await stack.api('POST', '/sandbox', {});
      assert.equal(over.status, 403, JSON.stringify(over.body));
      assert.equal(over.body.code, 'quota_exceeded');
      assert.equal(over.body.details.used, 1);
    } finally {
      await stack.api('PUT', `/organizations/${org}/quotas`, { sandboxes: null });
    }
  });

  it('a snapshot gets its own pool; rebuilding its image retires the stale members', async () => {
    const name = `warm-snap-${randomBytes(3).toString('hex')}`;
    const snap = await stack.api('POST', '/snapshots', { name, imageName: tag, cpu: 1, memory: 1, disk: 2 });
    assert.equal(snap.status, 200, JSON.stringify(snap.body));
    const bad = await stack.api('PUT', `/snapshots/${name}/warm-pool`, { size: 99 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid_argument');
    assert.equal((await stack.api('PUT', `/snapshots/${name}/warm-pool`, { size: 1 })).body.warmPool.size, 1);
    await poolReady(name, 1);
    const oldImage = (await docker.getImage(tag).inspect()).Id;
    const stale = (await members()).filter((m) => m.image === oldImage);
    assert.equal(stale.length, 1);
    const newImage = await build(tag);
    assert.notEqual(newImage, oldImage);
    for (let i = 0; i < 1200; i++) {
      const ms = await members();
      if (!ms.some((m) => stale.some((s) => s.id === m.id)) && ms.some((m) => m.image === newImage)) break;
      await sleep(100);
    }
    const ms = await members();
    assert.ok(!ms.some((m) => stale.some((s) => s.id === m.id)), 'the members of the old image are gone');
    assert.ok(
      ms.some((m) => m.image === newImage),
      'a member of the rebuilt image is ready',
    );
    await poolReady(name, 1);
    const { s, warm } = await create({ snapshot: name });
    assert.equal(warm, 'hit');
    assert.equal((await containerOf(s.id).inspect()).Image, newImage);
    assert.equal((await stack.api('PUT', `/snapshots/${name}/warm-pool`, { size: 0 })).status, 200);
    await stack.api('DELETE', `/sandbox/${s.id}`);
    await run('docker', ['rmi', '-f', oldImage]).catch(() => {});
  });
});

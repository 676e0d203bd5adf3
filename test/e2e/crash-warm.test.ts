// Crash safety of the warm pool: the server is killed with SIGKILL while it
// fills the pool and at each step of a claim, then started again. A claimed
// sandbox must come up once with everything its create asked for; no member
// may be handed out twice, lost, or left behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerOf, removeRunnerContainers, runnerContainers, runnerHolders } from '../helpers/docker.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';
import { freePort } from '../helpers/free-port.js';
import { freshDatabase } from '../helpers/stack.js';
import { testRunnerId } from '../helpers/runner-id.js';
import type { Json } from '../helpers/json.js';

describe('crash safety of the warm pool (kill -9 while filling and claiming)', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-crash-warm-'));
  const runnerId = testRunnerId();
  const key = `berth_test_${randomBytes(16).toString('hex')}`;
  let port = 0;
  let env: Record<string, string> = {};
  let dropDb: (() => Promise<void>) | undefined;
  let server: ServerProcess | null = null;

  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`http://127.0.0.1:${port}${path.startsWith('/toolbox') ? '' : '/api'}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, warm: r.headers.get('x-berth-warm') };
  };
  const up = async (crashAt?: string) => {
    if (server) throw new Error('a server is already running');
    server = await spawnServer({ ...env, ...(crashAt ? { BERTH_CRASH_AT: crashAt } : {}) }, port);
  };
  const down = async () => {
    await server?.kill('SIGKILL');
    server = null;
  };
  const crashDuring = async (point: string, trigger: () => Promise<unknown>) => {
    await down();
    await up(point);
    const s = server!;
    await trigger().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([s.exited, new Promise((r) => (timer = setTimeout(() => r('alive'), 60_000)))]);
    clearTimeout(timer);
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' }, `server did not crash at ${point}:\n${s.output()}`);
    server = null;
    await up();
  };
  const ready = async () => {
    for (let i = 0; i < 1200; i++) {
      const g = (await api('GET', '/snapshots')).body?.items?.find((s: Json) => s.general);
      if (g?.warmPool?.ready === 1) return;
      await sleep(100);
    }
    assert.fail('the warm pool never filled');
  };
  const settledState = async (id: string): Promise<string> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await api('GET', `/sandbox/${id}`);
      const state = r.status === 404 ? 'gone' : (r.body.state as string);
      if (['started', 'stopped', 'archived', 'error', 'gone'].includes(state) || Date.now() > deadline) return state;
      await sleep(250);
    }
  };
  /** Every container and holder of the runner belongs to a sandbox or to the one member the pool wants. */
  const accountedFor = async (sandboxes: string[]) => {
    await ready();
    const all = (await runnerContainers(runnerId)).map((c) => c.Labels['berth.sandbox']!);
    const members = all.filter((id) => !sandboxes.includes(id));
    assert.equal(members.length, 1, `one warm member besides the sandboxes: ${JSON.stringify(all)}`);
    for (const id of sandboxes) assert.equal(all.filter((x) => x === id).length, 1, `sandbox ${id} has one container`);
    const holders = await runnerHolders(runnerId);
    for (const h of holders.filter((n) => !n.startsWith('berth-netns-pool-'))) {
      assert.ok([...sandboxes, ...members].some((id) => h === `berth-netns-${id}`), `holder ${h} belongs to something`);
    }
  };

  before(async () => {
    port = await freePort();
    env = {
      BERTH_HOME: home,
      BERTH_RUNNER_ID: runnerId,
      BERTH_ADMIN_API_KEY: key,
      BERTH_LOG_LEVEL: 'warn',
      BERTH_SWEEP_SECONDS: '3600',
      BERTH_LOCK_LEASE_SECONDS: '3',
      BERTH_WARM_POOL: '1',
      BERTH_WARM_POOL_CHECK_SECONDS: '0.3',
      BERTH_WARM_POOL_MAX_LOAD: '1000',
      BERTH_WARM_POOL_MIN_FREE_MEMORY_PERCENT: '0',
      BERTH_RATE_LIMIT_CREATE: '0',
    };
    if (process.env.BERTH_TEST_DATABASE_URL) {
      const db = await freshDatabase(process.env.BERTH_TEST_DATABASE_URL);
      env.DATABASE_URL = db.url;
      dropDb = db.drop;
    }
    if (process.env.BERTH_TEST_REDIS_URL) env.REDIS_URL = process.env.BERTH_TEST_REDIS_URL;
    await up();
  });
  after(async () => {
    await down();
    await removeRunnerContainers(runnerId);
    rmSync(home, { recursive: true, force: true });
    await dropDb?.();
  });

  it('fill: killed after a member started, the restart retires it and fills the pool anew', async () => {
    await ready();
    const before = (await runnerContainers(runnerId)).map((c) => c.Labels['berth.sandbox']);
    await crashDuring('pool:started', async () => {}); // the boot's own fill dies (the old member is retired first)
    await accountedFor([]);
    const after = (await runnerContainers(runnerId)).map((c) => c.Labels['berth.sandbox']);
    assert.ok(!after.some((id) => before.includes(id)), 'the members of the killed processes are gone');
  });

  for (const point of ['claim:inserted', 'claim:limits', 'claim:applied', 'reconcile:start:done']) {
    it(`claim: killed at ${point}, the sandbox comes up once with its env and limits, and the member is never handed out again`, async () => {
      await ready();
      const name = `crash-${point.replace(/:/g, '-')}`;
      let warm: string | null = null;
      await crashDuring(point, async () => {
        await ready(); // the restarted server retired the old members: claim one of its own
        warm = (await api('POST', '/sandbox', { name, cpu: 1, memory: 1, disk: 2, env: { CLAIMED: name }, autoStopInterval: 0 })).warm;
      });
      assert.equal(warm, null, 'the create never answered');
      const list = await api('GET', `/sandbox?name=${name}`);
      assert.equal(list.body.items.length, 1);
      const id = list.body.items[0].id;
      assert.equal(await settledState(id), 'started');
      assert.equal((await api('POST', `/toolbox/${id}/process/execute`, { command: 'echo $CLAIMED' })).body.result, `${name}\n`);
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

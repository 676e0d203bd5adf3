// Crash safety: the server is killed with SIGKILL at named points inside
// create, start, stop, archive, restore and delete, then started again. Every
// sandbox must end consistent: the requested state reached, exactly the
// containers it should have, no orphans, no duplicates, no lost files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { docker, removeRunnerContainers, runnerContainers } from '../helpers/docker.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';
import { freePort } from '../helpers/free-port.js';
import { freshDatabase } from '../helpers/stack.js';
import { testRunnerId } from '../helpers/runner-id.js';

describe('crash safety (kill -9 at every step)', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-crash-'));
  const runnerId = testRunnerId();
  const key = `berth_test_${randomBytes(16).toString('hex')}`;
  let port = 0;
  let env: Record<string, string> = {};
  let dropDb: (() => Promise<void>) | undefined;
  let server: ServerProcess | null = null;

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(`http://127.0.0.1:${port}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const execIn = async (id: string, command: string) => {
    const r = await fetch(`http://127.0.0.1:${port}/toolbox/${id}/process/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ command }),
    });
    return (await r.json()) as { exitCode: number; result: string };
  };
  const up = async (crashAt?: string) => {
    if (server) throw new Error('a server is already running');
    server = await spawnServer({ ...env, ...(crashAt ? { BERTH_CRASH_AT: crashAt } : {}) }, port);
  };
  const down = async () => {
    await server?.kill('SIGKILL');
    server = null;
  };
  /** Starts a server that dies at `point`, fires `trigger`, and waits for the death. */
  const crashDuring = async (point: string, trigger: () => Promise<unknown>) => {
    await down();
    await up(point);
    const s = server!;
    await trigger().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([s.exited, new Promise((r) => (timer = setTimeout(() => r('alive'), 60_000)))]);
    clearTimeout(timer); // a pending timer would keep this file's process alive for a minute after its last test
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' }, `server did not crash at ${point}:\n${s.output()}`);
    server = null;
    await up();
  };
  const containers = async () => (await runnerContainers(runnerId)).map((c) => c.Labels['berth.sandbox']);
  const newSandbox = async (name: string) => {
    const r = await api('POST', '/sandbox', { name, cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 });
    assert.equal(r.body.state, 'started', JSON.stringify(r.body));
    assert.equal((await execIn(r.body.id, 'echo precious > marker.txt && cat marker.txt')).result, 'precious\n');
    return r.body.id as string;
  };
  /**
   * The state once the restarted server has finished recovering (with Redis
   * locks, a dead server's lease must expire first: up to 15 s).
   */
  const settledState = async (id: string): Promise<string> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await api('GET', `/sandbox/${id}`);
      const state = r.status === 404 ? 'gone' : (r.body.state as string);
      if (['started', 'stopped', 'archived', 'error', 'gone'].includes(state) || Date.now() > deadline) return state;
      await new Promise((res) => setTimeout(res, 250));
    }
  };
  const markerIntact = async (id: string) => assert.equal((await execIn(id, 'cat marker.txt')).result, 'precious\n');

  before(async () => {
    port = await freePort();
    env = { BERTH_HOME: home, BERTH_RUNNER_ID: runnerId, BERTH_ADMIN_API_KEY: key, BERTH_LOG_LEVEL: 'warn', BERTH_SWEEP_SECONDS: '3600', BERTH_LOCK_LEASE_SECONDS: '3' };
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

  it('create: killed after the row is stored, the same Idempotency-Key later returns the one sandbox', async () => {
    const idem = randomBytes(8).toString('hex');
    const body = { name: 'crash-create', cpu: 1, memory: 1, disk: 2 };
    await crashDuring('create:inserted', () => api('POST', '/sandbox', body, { 'idempotency-key': idem }));
    const again = await api('POST', '/sandbox', body, { 'idempotency-key': idem });
    assert.equal(again.status, 200);
    assert.equal(again.body.state, 'started');
    const list = await api('GET', '/sandbox?name=crash-create');
    assert.equal(list.body.items.length, 1);
    assert.deepEqual(await containers(), [again.body.id]);
    await api('DELETE', `/sandbox/${again.body.id}`);
  });

  for (const point of ['start:created', 'start:container-started', 'reconcile:start:done']) {
    it(`create: killed at ${point}, the sandbox comes up once`, async () => {
      await crashDuring(point, () => api('POST', '/sandbox', { name: `crash-${point.replace(/:/g, '-')}`, cpu: 1, memory: 1, disk: 2 }));
      const list = await api('GET', `/sandbox?name=crash-${point.replace(/:/g, '-')}`);
      assert.equal(list.body.items.length, 1);
      const id = list.body.items[0].id;
      assert.equal(await settledState(id), 'started');
      assert.deepEqual(await containers(), [id]);
      assert.equal((await execIn(id, 'echo alive')).result, 'alive\n');
      await api('DELETE', `/sandbox/${id}`);
      assert.deepEqual(await containers(), []);
    });
  }

  it('stop: killed after the container stopped, the sandbox is stopped with its files', async () => {
    const id = await newSandbox('crash-stop');
    await down();
    await crashDuring('stop:stopped', () => api('POST', `/sandbox/${id}/stop`));
    assert.equal(await settledState(id), 'stopped');
    assert.equal((await api('POST', `/sandbox/${id}/start`)).body.state, 'started');
    await markerIntact(id);
    await api('DELETE', `/sandbox/${id}`);
  });

  for (const point of ['archive:exported', 'archive:removed', 'reconcile:archive:done']) {
    it(`archive: killed at ${point}, the sandbox is archived and restores its files`, async () => {
      const id = await newSandbox(`crash-${point.replace(/:/g, '-')}`);
      assert.equal((await api('POST', `/sandbox/${id}/stop`)).body.state, 'stopped');
      await down();
      await crashDuring(point, () => api('POST', `/sandbox/${id}/archive`));
      assert.equal(await settledState(id), 'archived');
      assert.deepEqual(await containers(), []);
      assert.ok(existsSync(join(home, 'archives', `${id}.tar`)));
      assert.equal((await api('POST', `/sandbox/${id}/start`)).body.state, 'started');
      await markerIntact(id);
      assert.deepEqual(await containers(), [id]);
      await api('DELETE', `/sandbox/${id}`);
    });
  }

  it('restore: killed after the archive was written into the new container, the restore is redone', async () => {
    const id = await newSandbox('crash-restore');
    await api('POST', `/sandbox/${id}/stop`);
    assert.equal((await api('POST', `/sandbox/${id}/archive`)).body.state, 'archived');
    await down();
    await crashDuring('restore:imported', () => api('POST', `/sandbox/${id}/start`));
    assert.equal(await settledState(id), 'started');
    await markerIntact(id);
    assert.deepEqual(await containers(), [id]);
    assert.ok(!existsSync(join(home, 'archives', `${id}.tar`)), 'archive removed after a complete restore');
    await api('DELETE', `/sandbox/${id}`);
  });

  for (const point of ['destroy:removed', 'reconcile:destroy:done']) {
    it(`delete: killed at ${point}, the sandbox is gone without a trace`, async () => {
      const id = await newSandbox(`crash-${point.replace(/:/g, '-')}`);
      await down();
      await crashDuring(point, () => api('DELETE', `/sandbox/${id}`));
      assert.equal(await settledState(id), 'gone');
      assert.deepEqual(await containers(), []);
      assert.ok(!readdirSync(join(home, 'sandboxes')).includes(id));
    });
  }

  it('reaper: a labelled container the store does not know is removed at start', async () => {
    const orphan = `orphan-${randomBytes(4).toString('hex')}`;
    const c = await docker.createContainer({ name: `berth-${orphan}`, Image: 'berth/sandbox-base:latest', Cmd: ['sleep', '600'], Labels: { 'berth.managed': 'true', 'berth.runner': runnerId, 'berth.sandbox': orphan } });
    await c.start();
    await down();
    await up();
    assert.deepEqual(await containers(), []);
  });
});

// Crash safety: the server is killed with SIGKILL at named points inside
// create, start, stop, archive, restore and delete, then started again. Every
// sandbox must end consistent: the requested state reached, exactly the
// containers it should have, no orphans, no duplicates, no lost files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { docker, runnerContainers } from '../helpers/docker.js';
import { crashRig, type CrashRig } from '../helpers/crash-rig.js';

describe('crash safety (kill -9 at every step)', () => {
  let rig: CrashRig;
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    rig.api(method, path, body, headers);
  const crashDuring = (point: string, trigger: () => Promise<unknown>) => rig.crashDuring(point, trigger);
  const settledState = (id: string) => rig.settledState(id);
  const up = () => rig.up();
  const down = () => rig.down();
  const execIn = async (id: string, command: string) =>
    (await api('POST', `/toolbox/${id}/process/execute`, { command })).body as { exitCode: number; result: string };
  const containers = async () => (await runnerContainers(rig.runnerId)).map((c) => c.Labels['berth.sandbox']);
  const newSandbox = async (name: string) => {
    const r = await api('POST', '/sandbox', { name, cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 });
    assert.equal(r.body.state, 'started', JSON.stringify(r.body));
    assert.equal((await execIn(r.body.id, 'echo precious > marker.txt && cat marker.txt')).result, 'precious\n');
    return r.body.id as string;
  };
  const markerIntact = async (id: string) => assert.equal((await execIn(id, 'cat marker.txt')).result, 'precious\n');

  before(async () => {
    rig = await crashRig('crash');
    await rig.up();
  });
  after(() => rig?.close());

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
      await crashDuring(point, () =>
        api('POST', '/sandbox', { name: `crash-${point.replace(/:/g, '-')}`, cpu: 1, memory: 1, disk: 2 }),
      );
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
      assert.ok(existsSync(join(rig.home, 'archives', `${id}.tar`)));
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
    assert.ok(!existsSync(join(rig.home, 'archives', `${id}.tar`)), 'archive removed after a complete restore');
    await api('DELETE', `/sandbox/${id}`);
  });

  for (const point of ['destroy:removed', 'reconcile:destroy:done']) {
    it(`delete: killed at ${point}, the sandbox is gone without a trace`, async () => {
      const id = await newSandbox(`crash-${point.replace(/:/g, '-')}`);
      await down();
      await crashDuring(point, () => api('DELETE', `/sandbox/${id}`));
      assert.equal(await settledState(id), 'gone');
      assert.deepEqual(await containers(), []);
      assert.ok(!readdirSync(join(rig.home, 'sandboxes')).includes(id));
    });
  }

  it('reaper: a labelled container the store does not know is removed at start', async () => {
    const orphan = `orphan-${randomBytes(4).toString('hex')}`;
    const c = await docker.createContainer({
      name: `berth-${orphan}`,
      Image: 'berth/sandbox-base:latest',
      Cmd: ['sleep', '600'],
      Labels: { 'berth.managed': 'true', 'berth.runner': rig.runnerId, 'berth.sandbox': orphan },
    });
    await c.start();
    await down();
    await up();
    assert.deepEqual(await containers(), []);
  });
});

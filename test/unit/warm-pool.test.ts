// The warm pool's refill loop against a fake runner (our own interface) and a
// real SQLite store: it fills to size, pauses while the host is under
// pressure, and retires members whose image changed.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import type { ImageConfig, RunnerClient, SandboxRuntimeSpec } from '../../common/wire/runner.js';
import { openStore, type Store } from '../../orchestrator/store/db.js';
import { WarmPool } from '../../orchestrator/warmpool/pool.js';
import { WarmPoolRepo } from '../../orchestrator/warmpool/repo.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-warm-unit-'));
let store: Store;
before(async () => (store = await openStore({ sqlitePath: join(dir, 'db.sqlite') })));
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function fakeRunner() {
  const running = new Set<string>();
  const image: ImageConfig = { command: [], workdir: '/', user: '', env: [], id: 'sha256:one' };
  const runner = {
    id: 'unit-runner',
    inspectImage: async () => image,
    ensureStarted: async (spec: SandboxRuntimeSpec) => {
      assert.equal(spec.pooled, true);
      assert.equal(spec.organizationId, '');
      running.add(spec.sandboxId);
    },
    ensureDestroyed: async (id: string) => void running.delete(id),
    observe: async (id: string) => ({
      exists: running.has(id),
      running: running.has(id),
      ready: running.has(id),
      archived: false,
    }),
  } as unknown as RunnerClient;
  return { runner, running, image };
}

it('fills to size, pauses under pressure, and retires members of a rebuilt image', async () => {
  const { runner, running, image } = fakeRunner();
  let pressure: string | null = 'load 9.00 per core > 3';
  const pool = new WarmPool({
    repo: new WarmPoolRepo(store),
    runner,
    clock: systemClock,
    log: silentLogger,
    defaultSize: 2,
    defaultImage: 'berth/sandbox-base:latest',
    defaults: () => ({ cpu: 2, memory: 4, disk: 10 }),
    pressure: () => pressure,
    tickMs: 3_600_000,
  });
  pool.start();
  await pool.idle();
  assert.equal(running.size, 0, 'nothing started while the host is under pressure');
  pressure = null;
  pool.kick();
  await pool.idle();
  assert.equal(running.size, 2);
  const first = [...running];
  const req = {
    image: 'berth/sandbox-base:latest',
    command: [],
    user: '1000:1000',
    cpu: 1,
    memory: 1,
    disk: 2,
    runtime: 'runc' as const,
    volumes: 0,
  };
  assert.deepEqual(await pool.pick(req, 'sha256:one'), { ids: first });
  assert.deepEqual(
    await pool.pick(req, 'sha256:two'),
    { miss: 'empty' },
    'members of another image id are not handed out',
  );
  image.id = 'sha256:two';
  pool.kick();
  await pool.idle();
  assert.equal(running.size, 2);
  assert.ok(![...running].some((id) => first.includes(id)), 'the members of the old image were retired and replaced');
  await pool.close();
  assert.equal(running.size, 0, 'close removes the unclaimed members');
  assert.deepEqual(await new WarmPoolRepo(store).all('unit-runner'), []);
});

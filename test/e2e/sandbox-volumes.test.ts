// Which sandboxes use a volume or an image, asked of the store through rows
// (sandbox_volumes, plain columns) instead of a LIKE over JSON text: through
// the public API (a mounted volume cannot be deleted and names its users, a
// snapshot in use cannot be deleted) and across the migration that added the
// table (rows made before it are found after it). Runs on SQLite and, with
// BERTH_TEST_DATABASE_URL, on PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createSandbox, freshDatabase, startStack, type Stack } from '../helpers/stack.js';
import { bindStore, knexConfig, MIGRATIONS_DIR } from '../../orchestrator/store/db.js';
import { SandboxRepo } from '../../orchestrator/sandboxes/repo.js';

const MIGRATION = '20261212000000_sandbox_volumes.js';

describe('sandbox_volumes migration', () => {
  let knex: Knex;
  let cleanup: () => Promise<void>;

  before(async () => {
    const url = process.env.BERTH_TEST_DATABASE_URL;
    if (url) {
      const db = await freshDatabase(url);
      knex = knexFactory(knexConfig({ databaseUrl: db.url, sqlitePath: '' }));
      cleanup = db.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'berth-migr-'));
      knex = knexFactory(knexConfig({ sqlitePath: join(dir, 'berth.sqlite') }));
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  after(async () => {
    await knex?.destroy();
    await cleanup?.();
  });

  it('upgrades a database with sandboxes in it: their mounts are found through the repository', async () => {
    const opts = { directory: MIGRATIONS_DIR, loadExtensions: ['.js'] };
    // Up to the migration before this one, as an existing install would be.
    for (;;) {
      const [, pending] = (await knex.migrate.list(opts)) as [unknown[], { file: string }[]];
      assert.ok(pending.length, `${MIGRATION} is not among the migrations`);
      if (pending[0]!.file === MIGRATION) break;
      await knex.migrate.up(opts);
    }
    const now = Date.now();
    await knex('organizations').insert({ id: 'org-1', name: 'old', personal: false, created_at: now, updated_at: now });
    const volA = randomUUID();
    const volB = randomUUID();
    const sandbox = (id: string, name: string, volumes: unknown) => ({
      id,
      organization_id: 'org-1',
      name,
      runner_id: 'r',
      image: 'berth/sandbox-base:latest',
      env: '{}',
      cpu: 1,
      memory: 1,
      disk: 1,
      state: 'stopped',
      desired_state: 'stopped',
      auto_stop_interval: 15,
      auto_archive_interval: 0,
      auto_delete_interval: -1,
      created_at: now,
      updated_at: now,
      state_updated_at: now,
      last_activity_at: now,
      volumes: volumes === null ? null : JSON.stringify(volumes),
    });
    await knex('sandboxes').insert([
      sandbox('s-1', 'one', [
        { volumeId: volA, mountPath: '/data' },
        { volumeId: volA, mountPath: '/again', subpath: 'x' },
        { volumeId: volB, mountPath: '/b' },
      ]),
      sandbox('s-2', 'two', [{ volumeId: volB, mountPath: '/b' }]),
      sandbox('s-3', 'three', null),
      sandbox('s-4', 'four', []),
    ]);

    await knex.migrate.latest(opts);

    const repo = new SandboxRepo(bindStore(knex, process.env.BERTH_TEST_DATABASE_URL ? 'postgres' : 'sqlite'));
    assert.deepEqual(await repo.mounting('org-1', volA), ['one']);
    assert.deepEqual(await repo.mounting('org-1', volB), ['one', 'two']);
    assert.deepEqual(await repo.mounting('org-1', randomUUID()), []);
    assert.deepEqual(await repo.mounting('org-2', volB), [], 'scoped by organization');
    // The mount spec itself is unchanged.
    const one = await repo.getById('s-1');
    assert.equal(one?.volumes.length, 3);
    assert.equal(one?.volumes[1]?.subpath, 'x');
    // And a volume id inside another string no longer matches: only the relation counts.
    assert.deepEqual(await repo.mounting('org-1', volA.slice(0, 8)), []);
  });
});

describe('who uses a volume or an image, through the API', () => {
  let stack: Stack;
  before(async () => (stack = await startStack()));
  after(async () => stack?.close());

  it('refuses to delete a mounted volume, naming the sandboxes, and deletes it once they are gone', async () => {
    const vol = await stack.api('POST', '/volumes', { name: `vol-${randomUUID().slice(0, 8)}` });
    assert.equal(vol.status, 200, JSON.stringify(vol.body));
    const other = await stack.api('POST', '/volumes', { name: `vol-${randomUUID().slice(0, 8)}` });
    const names = [`m1-${randomUUID().slice(0, 6)}`, `m2-${randomUUID().slice(0, 6)}`];
    const sandboxes = [];
    for (const name of names)
      sandboxes.push(await createSandbox(stack, { name, volumes: [{ volumeId: vol.body.id, mountPath: '/data' }] }));
    const refused = await stack.api('DELETE', `/volumes/${vol.body.id}`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'conflict');
    for (const n of names) assert.match(refused.body.message, new RegExp(n));
    // A volume nobody mounts goes at once.
    assert.equal((await stack.api('DELETE', `/volumes/${other.body.id}`)).status < 300, true);
    for (const s of sandboxes) {
      const d = await stack.api('DELETE', `/sandbox/${s.id}`);
      assert.ok(d.status < 300, JSON.stringify(d.body));
    }
    await waitGone(
      stack,
      sandboxes.map((s) => s.id),
    );
    const gone = await stack.api('DELETE', `/volumes/${vol.body.id}`);
    assert.ok(gone.status < 300, JSON.stringify(gone.body));
    assert.equal((await stack.api('GET', `/volumes/${vol.body.id}`)).status, 404);
  });

  it('refuses to delete a snapshot a sandbox runs, and deletes it once none does', async () => {
    const name = `snap-${randomUUID().slice(0, 8)}`;
    const snap = await stack.api('POST', '/snapshots', { name, imageName: 'berth/sandbox-base:latest' });
    assert.ok(snap.status < 300, JSON.stringify(snap.body));
    await waitFor(async () => (await stack.api('GET', `/snapshots/${snap.body.id}`)).body.state === 'active');
    const s = await createSandbox(stack, { snapshot: name });
    const refused = await stack.api('DELETE', `/snapshots/${snap.body.id}`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal((await stack.api('DELETE', `/sandbox/${s.id}`)).status < 300, true);
    await waitGone(stack, [s.id]);
    const ok = await stack.api('DELETE', `/snapshots/${snap.body.id}`);
    assert.ok(ok.status < 300, JSON.stringify(ok.body));
  });
});

async function waitFor(f: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const waitGone = (stack: Stack, ids: string[]) =>
  waitFor(async () => {
    for (const id of ids) if ((await stack.api('GET', `/sandbox/${id}`)).status !== 404) return false;
    return true;
  });

// A `berth serve` process the crash tests kill with SIGKILL at named points
// (BERTH_CRASH_AT) and start again: its own home, runner id, admin key, port
// and (in the PostgreSQL run) database; the API as the tests call it; and the
// wait for a sandbox to settle once the restarted server has recovered.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeRunnerContainers } from './docker.js';
import { spawnServer, type ServerProcess } from './server-process.js';
import { freePort } from './free-port.js';
import { freshDatabase } from './stack.js';
import { testRunnerId } from './runner-id.js';
import type { Json } from './json.js';

export interface CrashRig {
  readonly home: string;
  readonly runnerId: string;
  /** http://127.0.0.1:port, the same across restarts. */
  readonly url: string;
  /** Calls the API (or, for paths starting with /toolbox, the toolbox) with the admin key. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json; warm: string | null }>;
  /** Starts the server, to die at `crashAt` when given. */
  up(crashAt?: string): Promise<void>;
  down(): Promise<void>;
  /** Starts a server that dies at `point`, fires `trigger`, waits for the death, then starts a healthy one. */
  crashDuring(point: string, trigger: () => Promise<unknown>): Promise<void>;
  /** The state once recovery is done (with Redis locks, a dead server's lease must expire first). */
  settledState(id: string): Promise<string>;
  /** Stops the server and removes everything the rig made. */
  close(): Promise<void>;
}

export async function crashRig(name: string, extraEnv: Record<string, string> = {}): Promise<CrashRig> {
  const home = mkdtempSync(join(tmpdir(), `berth-${name}-`));
  const runnerId = testRunnerId();
  const key = `berth_test_${randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const env: Record<string, string> = {
    BERTH_HOME: home,
    BERTH_RUNNER_ID: runnerId,
    BERTH_ADMIN_API_KEY: key,
    BERTH_LOG_LEVEL: 'warn',
    BERTH_SWEEP_SECONDS: '3600',
    BERTH_LOCK_LEASE_SECONDS: '3',
    ...extraEnv,
  };
  let dropDb: (() => Promise<void>) | undefined;
  if (process.env.BERTH_TEST_DATABASE_URL) {
    const db = await freshDatabase(process.env.BERTH_TEST_DATABASE_URL);
    env.DATABASE_URL = db.url;
    dropDb = db.drop;
  }
  if (process.env.BERTH_TEST_REDIS_URL) env.REDIS_URL = process.env.BERTH_TEST_REDIS_URL;
  let server: ServerProcess | null = null;

  const rig: CrashRig = {
    home,
    runnerId,
    url: `http://127.0.0.1:${port}`,
    async api(method, path, body, headers = {}) {
      const r = await fetch(`http://127.0.0.1:${port}${path.startsWith('/toolbox') ? '' : '/api'}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined, warm: r.headers.get('x-berth-warm') };
    },
    async up(crashAt) {
      if (server) throw new Error('a server is already running');
      server = await spawnServer({ ...env, ...(crashAt ? { BERTH_CRASH_AT: crashAt } : {}) }, port);
    },
    async down() {
      await server?.kill('SIGKILL');
      server = null;
    },
    async crashDuring(point, trigger) {
      await rig.down();
      await rig.up(point);
      const s = server!;
      await trigger().catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([s.exited, new Promise((r) => (timer = setTimeout(() => r('alive'), 60_000)))]);
      clearTimeout(timer); // a pending timer would keep the test's process alive for a minute after its last test
      assert.deepEqual(exit, { code: null, signal: 'SIGKILL' }, `server did not crash at ${point}:\n${s.output()}`);
      server = null;
      await rig.up();
    },
    async settledState(id) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const r = await rig.api('GET', `/sandbox/${id}`);
        const state = r.status === 404 ? 'gone' : (r.body.state as string);
        if (['started', 'stopped', 'archived', 'error', 'gone'].includes(state) || Date.now() > deadline) return state;
        await sleep(250);
      }
    },
    async close() {
      await rig.down();
      await removeRunnerContainers(runnerId);
      rmSync(home, { recursive: true, force: true });
      await dropDb?.();
    },
  };
  return rig;
}

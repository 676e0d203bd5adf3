// Boots a real Berth server (real Docker, real store) in this process for a
// test: its own BERTH_HOME, runner id and database, torn down with every
// container it created. Set BERTH_TEST_DATABASE_URL / BERTH_TEST_REDIS_URL to
// run against PostgreSQL and Redis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { bootServer, type BootedServer } from '../../boot/server.js';
import type { Clock } from '../../common/clock.js';
import type { ConfigInput } from '../../common/config.js';
import { createLogger, type Logger } from '../../common/log.js';
import type { ContainerRuntime } from '../../runner/runtime/interface.js';
import { removeRunnerContainers } from './docker.js';
import { testRunnerId } from './runner-id.js';
import type { Json } from './json.js';

export interface Stack {
  server: BootedServer;
  /** http://127.0.0.1:port */
  url: string;
  apiUrl: string;
  key: string;
  organizationId: string;
  home: string;
  runnerId: string;
  databaseUrl?: string;
  env: Record<string, string>;
  /** fetch against the API with the admin key; JSON in and out. */
  api<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** Stops the server, keeping home, database and containers (for crash tests). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_IMAGE = 'berth/sandbox-base:latest';
/** A static busybox and nothing else (scripts/build-test-images.sh): for sandboxes that need only a shell. */
export const SMALL_IMAGE = 'berth-test/busybox:static';

export async function freshDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `berth_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

export interface StackOptions {
  clock?: Clock;
  config?: ConfigInput;
  /** Reuse a home/runner/database of a stopped stack (restart after a crash). */
  reuse?: { home: string; runnerId: string; databaseUrl?: string; key: string };
  background?: boolean;
  /** Run the SSH gateway, on a free port (`server.ssh.port()`); off otherwise. */
  ssh?: boolean;
  /** Where the server logs (default: stderr at BERTH_TEST_LOG_LEVEL or warn). */
  log?: Logger;
  /**
   * Runs sandboxes on this engine instead of Docker (unit tests: runner/runtime/memory.ts);
   * no network namespaces or egress rules then, and nothing of Docker is touched.
   */
  runtime?: ContainerRuntime;
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const home = o.reuse?.home ?? mkdtempSync(join(tmpdir(), 'berth-test-'));
  const runnerId = o.reuse?.runnerId ?? testRunnerId();
  let databaseUrl = o.reuse?.databaseUrl;
  let drop: (() => Promise<void>) | undefined;
  if (!databaseUrl && process.env.BERTH_TEST_DATABASE_URL) {
    const db = await freshDatabase(process.env.BERTH_TEST_DATABASE_URL);
    databaseUrl = db.url;
    drop = db.drop;
  }
  const key = o.reuse?.key ?? `berth_test_${randomBytes(16).toString('hex')}`;
  const env: Record<string, string> = {
    BERTH_HOME: home,
    BERTH_RUNNER_ID: runnerId,
    BERTH_ADMIN_API_KEY: key,
    PORT: '0',
    BERTH_LOG_LEVEL: process.env.BERTH_TEST_LOG_LEVEL ?? 'warn',
    // One ready network namespace per test server: the pooled path is used, without dozens of idle holders.
    BERTH_NETNS_POOL: process.env.BERTH_NETNS_POOL ?? '1',
    // No warm sandboxes unless a test asks (config.warmPool): every test server would double its containers.
    BERTH_WARM_POOL: process.env.BERTH_WARM_POOL ?? '0',
    // Test servers never take the default SSH port (2222): on a free port when asked, else off.
    BERTH_SSH_PORT: '0',
    // `npm test` shares one daemon folder between its servers instead of building one per server (scripts/test.mjs).
    ...(process.env.BERTH_RUNTIME_DIR ? { BERTH_RUNTIME_DIR: process.env.BERTH_RUNTIME_DIR } : {}),
    ...(o.runtime ? { BERTH_NETNS_POOL: '0', BERTH_ENFORCE_EGRESS: 'false' } : {}),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.BERTH_TEST_REDIS_URL ? { REDIS_URL: process.env.BERTH_TEST_REDIS_URL } : {}),
  };
  const server = await bootServer({
    env,
    config: { sweepSeconds: 3600, ...o.config },
    clock: o.clock,
    runtime: o.runtime,
    background: o.background ?? false,
    ephemeralSsh: o.ssh,
    log: o.log ?? createLogger({ level: (env.BERTH_LOG_LEVEL as 'warn') ?? 'warn' }),
    announce: () => {},
  });
  const url = server.url;
  const apiUrl = `${url}/api`;
  let stopped = false;
  const stack: Stack = {
    server,
    url,
    apiUrl,
    key,
    organizationId: server.organizationId,
    home,
    runnerId,
    databaseUrl,
    env,
    async api(method, path, body, opts = {}) {
      const k = opts.key === undefined ? key : opts.key;
      const res = await fetch(path.startsWith('/toolbox') ? url + path : apiUrl + path, {
        method,
        headers: {
          ...(k ? { authorization: `Bearer ${k}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed as never, headers: res.headers };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
    },
    async close() {
      await stack.stop();
      if (!o.runtime) await removeRunnerContainers(runnerId);
      if (!o.reuse) rmSync(home, { recursive: true, force: true });
      await drop?.();
    },
  };
  return stack;
}

/** Waits (up to 20 s) until the server has `n` network namespaces ready, so the next creates claim one; else throws. */
export async function readyNetns(stack: Pick<Stack, 'server' | 'env'>, n: number, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (stack.server.runner.readyNetns() < n && Date.now() - t0 < timeoutMs) await sleep(100);
  const ready = stack.server.runner.readyNetns();
  if (ready < n) {
    const why = `BERTH_NETNS_POOL=${stack.env.BERTH_NETNS_POOL}; see the server log`;
    throw new Error(
      `the network-namespace pool has ${ready} ready after ${timeoutMs / 1000} s, not ${n}: the pooled path would not be tested (${why})`,
    );
  }
}

/** Creates a sandbox through the API and returns its DTO (asserting it started). */
export async function createSandbox(stack: Stack, body: Record<string, unknown> = {}): Promise<Json> {
  const r = await stack.api('POST', '/sandbox', body);
  if (r.status !== 200 || r.body.state !== 'started')
    throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function exec(
  stack: Stack,
  id: string,
  command: string,
  extra: Record<string, unknown> = {},
): Promise<{ exitCode: number; result: string; stdout: string; stderr: string }> {
  const r = await stack.api('POST', `/toolbox/${id}/process/execute`, { command, ...extra });
  if (r.status !== 200) throw new Error(`exec failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// The `berth serve` a benchmark measures: its own home, runner id, admin key
// and port, the API as the benchmark calls it, and the clean-up of everything
// it made (containers included).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnServer, type ServerProcess } from '../test/helpers/server-process.js';
import { freePort } from '../test/helpers/free-port.js';
import { removeRunnerContainers } from '../test/helpers/docker.js';
import type { Json } from '../test/helpers/json.js';

/** Limits that would refuse a benchmark's bursts of creates and calls. */
export const UNLIMITED: Record<string, string> = {
  BERTH_RATE_LIMIT_CREATE: '0',
  BERTH_RATE_LIMIT_AUTHENTICATED: '0',
  BERTH_QUOTA_SANDBOXES: '-1',
  BERTH_QUOTA_CPU: '-1',
  BERTH_QUOTA_MEMORY_GIB: '-1',
  BERTH_QUOTA_DISK_GIB: '-1',
};

export interface BenchServer {
  readonly home: string;
  readonly key: string;
  readonly runnerId: string;
  readonly process: ServerProcess;
  readonly url: string;
  /** Calls `path` (e.g. /api/sandbox) with the admin key; throws on a status other than 2xx. */
  call(method: string, path: string, body?: unknown): Promise<{ body: Json; warm: string | null }>;
  api(method: string, path: string, body?: unknown): Promise<Json>;
  /** Stops the server and removes its containers and home. */
  close(): Promise<void>;
}

export async function benchServer(name: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const home = mkdtempSync(join(tmpdir(), `berth-bench-${name}-`));
  const runnerId = `bench-${randomBytes(3).toString('hex')}`;
  const key = `berth_bench_${randomBytes(16).toString('hex')}`;
  const server = await spawnServer(
    { BERTH_HOME: home, BERTH_RUNNER_ID: runnerId, BERTH_ADMIN_API_KEY: key, BERTH_LOG_LEVEL: 'warn', ...env },
    await freePort(),
  );
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return { body: (text ? JSON.parse(text) : undefined) as Json, warm: r.headers.get('x-berth-warm') };
  };
  return {
    home,
    key,
    runnerId,
    process: server,
    url: server.url,
    call,
    api: async (method, path, body) => (await call(method, path, body)).body,
    async close() {
      await server.kill('SIGTERM');
      await removeRunnerContainers(runnerId);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

// A `berth runner` process for tests: registered on a test server, driving a
// second Docker engine (engine-rig.ts), started and waited for until the
// server lists it `ready`. `stop()` ends the process and removes its folder.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type Running } from '../cli/helpers.js';
import type { EngineRig } from './engine-rig.js';
import type { Json } from './json.js';

export interface RemoteRunner {
  id: string;
  name: string;
  proc: Running;
  /** kill -9: the process dies at once, its folder and containers stay; resolves once the server lists it unreachable. */
  kill(): Promise<void>;
  /** Starts the runner again with the same token and folder (plus `env`), and waits until it is `ready`. */
  restart(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** Polls `f` until `ok` holds; throws with the last value after `ms`. */
export async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  let last: T | undefined;
  while (Date.now() - t0 < ms) {
    last = await f();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms; last ${JSON.stringify(last)}`);
}

/** The server a runner links to: its API URL, and its API called with an administrator's key. */
export interface RunnerHost {
  apiUrl: string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }>;
}

export async function startRemoteRunner(
  stack: RunnerHost,
  rig: EngineRig,
  o: { name: string; labels?: Record<string, string>; env?: Record<string, string> },
): Promise<RemoteRunner> {
  const created = await stack.api('POST', '/runners', { name: o.name, labels: o.labels });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  const home = mkdtempSync(join(tmpdir(), 'berth-remote-runner-'));
  const env = {
    ...(process.env as Record<string, string>),
    BERTH_API_URL: stack.apiUrl,
    BERTH_RUNNER_TOKEN: created.body.token as string,
    BERTH_HOME: home,
    DOCKER_HOST: `unix://${rig.socket}`,
    // The second engine's network namespace has its own firewall; the tests leave it alone.
    BERTH_ENFORCE_EGRESS: 'false',
    BERTH_NETNS_POOL: '0',
    BERTH_LOG_LEVEL: 'info',
    ...o.env,
  };
  const r: RemoteRunner = {
    id,
    name: o.name,
    proc: startCli(['runner'], env, 1_800_000),
    async kill() {
      r.proc.child.kill('SIGKILL');
      await r.proc.done;
      await stateIs('unreachable', 30_000);
    },
    async restart(more = {}) {
      r.proc = startCli(['runner'], { ...env, ...more }, 1_800_000);
      await ready();
    },
    async stop() {
      r.proc.child.kill('SIGTERM');
      await r.proc.done;
      rmSync(home, { recursive: true, force: true });
    },
  };
  const stateIs = (state: string, ms?: number) =>
    until(
      `runner ${state}`,
      async () => ((await stack.api('GET', `/runners/${id}`)).body as Json).state,
      (s) => s === state,
      ms,
    );
  const ready = () =>
    stateIs('ready').catch(async (e: Error) => {
      throw new Error(`${e.message}\nrunner: ${r.proc.err}`);
    });
  await ready().catch(async (e: Error) => {
    await r.stop();
    throw e;
  });
  return r;
}

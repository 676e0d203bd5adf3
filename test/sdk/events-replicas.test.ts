// Socket.IO across replicas: two servers share PostgreSQL and Redis; a client
// connected to one replica hears about sandboxes changed through the other
// (the notification gateway listens to the bus, which Redis carries between
// replicas). Uses BERTH_TEST_DATABASE_URL / BERTH_TEST_REDIS_URL, or starts
// the test services (scripts/test-services.sh) when they are not set.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daytona } from '@daytonaio/sdk';
import { io, type Socket } from 'socket.io-client';
import { startStack, type Stack } from '../helpers/stack.js';
import { eventually, sdkStack, type SdkStack } from './helpers.js';
import { freePort } from '../helpers/free-port.js';
import { testRunnerId } from '../helpers/runner-id.js';
import type { Json } from '../helpers/json.js';

function services(): void {
  if (process.env.BERTH_TEST_DATABASE_URL && process.env.BERTH_TEST_REDIS_URL) return;
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const out = execFileSync('bash', ['scripts/test-services.sh'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (const line of out.trim().split('\n')) {
    const [k, v] = line.split(/=(.*)/s);
    if (k && v) process.env[k] = v;
  }
}

describe('SDK: notifications across replicas (PostgreSQL + Redis)', () => {
  let a: SdkStack;
  let b: Stack;
  let bHome: string;
  let socket: Socket | undefined;
  let viaB: Daytona | undefined;
  before(async () => {
    services();
    a = await sdkStack();
    assert.ok(a.stack.databaseUrl, 'replica A runs on PostgreSQL');
    // Replica B: same database, same Redis, same key; its own home and runner.
    bHome = mkdtempSync(join(tmpdir(), 'berth-test-replica-'));
    const port = await freePort();
    b = await startStack({
      reuse: { home: bHome, runnerId: testRunnerId(), databaseUrl: a.stack.databaseUrl, key: a.stack.key },
      config: { port, publicUrl: `http://127.0.0.1:${port}` },
    });
  });
  after(async () => {
    socket?.disconnect();
    await viaB?.[Symbol.asyncDispose]();
    await b?.close();
    await a?.close();
    if (bHome) rmSync(bHome, { recursive: true, force: true });
  });

  it('tells a client on one replica what happened through the other', async () => {
    assert.equal((await a.stack.server.orch.health()).bus.kind, 'redis');
    const seen: { name: string; data: Json }[] = [];
    socket = io(b.url, {
      path: '/api/socket.io/',
      transports: ['websocket'],
      auth: { token: b.key },
      reconnection: false,
    });
    socket.onAny((name: string, data: unknown) => seen.push({ name, data }));
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', () => resolve());
      socket!.once('connect_error', reject);
    });

    const s = await a.sandbox({ labels: { suite: 'replicas' } });
    await eventually(() => seen.some((e) => e.name === 'sandbox.created' && e.data.id === s.id));
    await eventually(() =>
      seen.some(
        (e) => e.name === 'sandbox.state.updated' && e.data.sandbox.id === s.id && e.data.newState === 'started',
      ),
    );
    const created = seen.find((e) => e.name === 'sandbox.created')!;
    // Dates crossed Redis as strings and come out as proper ISO dates.
    assert.equal(new Date(created.data.createdAt).toISOString(), created.data.createdAt);

    // An SDK object obtained from replica B follows a stop made through replica A.
    viaB = new Daytona({ apiKey: b.key, apiUrl: b.apiUrl });
    const mirror = await viaB.get(s.id);
    assert.equal(mirror.state, 'started');
    await s.stop();
    await eventually(() => mirror.state === 'stopped', 5000, 20);
    await s.delete(60, true);
    await eventually(() =>
      seen.some(
        (e) => e.name === 'sandbox.state.updated' && e.data.sandbox.id === s.id && e.data.newState === 'destroyed',
      ),
    );
  });
});

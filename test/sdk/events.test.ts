// Socket.IO notifications: the SDK's state waits are driven by events, a
// plain socket.io-client sees sandbox events of its own organization only, bad
// keys are refused, and a script that leaves a sandbox running exits at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { ManualClock } from '../../common/clock.js';
import { eventually, otherOrgKey, sdkStack, type SdkStack } from './helpers.js';
import type { Json } from '../helpers/json.js';

interface Seen {
  name: string;
  data: Json;
}

function subscriber(url: string, token: string): Promise<{ socket: Socket; seen: Seen[] }> {
  const socket = io(url, { path: '/api/socket.io/', transports: ['websocket'], auth: { token }, reconnection: false });
  const seen: Seen[] = [];
  socket.onAny((name: string, data: unknown) => seen.push({ name, data }));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, seen }));
    socket.once('connect_error', (e) => reject(e));
  });
}

describe('SDK: Socket.IO notifications', () => {
  let t: SdkStack;
  const sockets: Socket[] = [];
  before(async () => {
    t = await sdkStack();
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it('refuses a connection without a valid key', async () => {
    await assert.rejects(subscriber(t.stack.url, 'berth_not-a-key'), /invalid|expired|revoked/i);
    await assert.rejects(subscriber(t.stack.url, ''), /missing/i);
  });

  it('streams created, state and desired-state events to the organization only', async () => {
    const mine = await subscriber(t.stack.url, t.stack.key);
    const other = await subscriber(t.stack.url, (await otherOrgKey(t.stack)).key);
    sockets.push(mine.socket, other.socket);

    const s = await t.sandbox({ labels: { suite: 'events' } });
    const created = mine.seen.find((e) => e.name === 'sandbox.created' && e.data.id === s.id);
    assert.ok(created, 'sandbox.created');
    assert.equal(created.data.labels['code-toolbox-language'], 'python');
    assert.equal(created.data.toolboxProxyUrl, `${t.stack.server.config.publicUrl}/toolbox`);
    const started = mine.seen.find(
      (e) => e.name === 'sandbox.state.updated' && e.data.sandbox.id === s.id && e.data.newState === 'started',
    );
    assert.ok(started, 'state started');
    assert.equal(started.data.sandbox.state, 'started');
    assert.equal(started.data.oldState, 'creating');

    await s.stop();
    const desired = (await eventually(() =>
      mine.seen.find((e) => e.name === 'sandbox.desired-state.updated' && e.data.sandbox.id === s.id),
    ))!;
    assert.equal(desired.data.newDesiredState, 'stopped');
    assert.equal(desired.data.oldDesiredState, 'started');
    const states = mine.seen
      .filter((e) => e.name === 'sandbox.state.updated' && e.data.sandbox.id === s.id)
      .map((e) => e.data.newState);
    assert.deepEqual(states.slice(-2), ['stopping', 'stopped']);

    await s.delete(60, true);
    await eventually(() =>
      mine.seen.some(
        (e) => e.name === 'sandbox.state.updated' && e.data.sandbox.id === s.id && e.data.newState === 'destroyed',
      ),
    );
    assert.deepEqual(other.seen, [], 'another organization sees nothing');
  });

  it('updates SDK sandbox objects from events alone', async () => {
    const s = await t.sandbox();
    const dispatcher = (t.daytona as unknown as { eventDispatcher: { isConnected: boolean } }).eventDispatcher;
    assert.equal(dispatcher.isConnected, true);
    // Change the state behind the SDK's back: only a notification can tell this object.
    assert.equal((await t.stack.api('POST', `/sandbox/${s.id}/stop`)).body.state, 'stopped');
    await eventually(() => s.state === 'stopped', 5000, 20);
    assert.equal((await t.stack.api('POST', `/sandbox/${s.id}/start`)).body.state, 'started');
    await eventually(() => s.state === 'started', 5000, 20);
  });

  it('lets a script that leaves its sandbox running exit promptly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sdk-exit-'));
    const script = join(dir, 'leave-running.mjs');
    writeFileSync(
      script,
      `import { Daytona } from ${JSON.stringify(import.meta.resolve('@daytonaio/sdk'))};
const daytona = new Daytona({ apiKey: process.env.KEY, apiUrl: process.env.API });
const s = await daytona.create({ resources: { cpu: 1, memory: 1 }, labels: { suite: 'exit' } });
const again = await daytona.get(s.id);
console.log(again.id + ' ' + again.state);
`,
    );
    const started = Date.now();
    let printedAt = 0;
    let out = '';
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, KEY: t.stack.key, API: t.stack.apiUrl, DAYTONA_API_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      printedAt ||= Date.now();
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 90_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const exitedAfter = Date.now() - (printedAt || started);
    rmSync(dir, { recursive: true, force: true });
    const [id, state] = out.trim().split(' ');
    if (id) await t.stack.api('DELETE', `/sandbox/${id}`);
    assert.equal(code, 0, `script did not exit on its own (output: ${out})`);
    assert.equal(state, 'started');
    assert.ok(exitedAfter < 3000, `exited ${exitedAfter} ms after its work`);
    assert.equal((await t.stack.api('GET', `/sandbox/${id}`)).status, 404);
  });
});

describe('SDK: notifications for timer-driven changes', () => {
  let t: SdkStack;
  const clock = new ManualClock(Date.now());
  let socket: Socket | undefined;
  before(async () => {
    t = await sdkStack({ clock });
  });
  after(async () => {
    socket?.disconnect();
    await t?.close();
  });

  it('announces an auto-stop, and SDK objects follow it', async () => {
    const s = await t.sandbox({ autoStopInterval: 1 });
    const sub = await subscriber(t.stack.url, t.stack.key);
    socket = sub.socket;
    await clock.advanceMinutes(2);
    await t.stack.server.orch.reconciler.sweep();
    const desired = (await eventually(() =>
      sub.seen.find((e) => e.name === 'sandbox.desired-state.updated' && e.data.sandbox.id === s.id),
    ))!;
    assert.equal(desired.data.newDesiredState, 'stopped');
    await eventually(() => s.state === 'stopped', 5000, 20);
    assert.deepEqual(
      sub.seen
        .filter((e) => e.name === 'sandbox.state.updated' && e.data.sandbox.id === s.id)
        .map((e) => e.data.newState),
      ['stopping', 'stopped'],
    );
  });
});

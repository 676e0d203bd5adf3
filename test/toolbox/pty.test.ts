// Terminals end to end: real Docker sandbox, real WebSocket clients, the
// framing of compat spec §6.5 and the subprotocol rules of §6.2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ManualClock } from '../../common/clock.js';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';
import { connectWs, UpgradeRejected, type WsClient } from '../helpers/ws.js';
import { freePort } from '../helpers/free-port.js';
import { otherOrganizationKey } from '../helpers/other-org.js';

const EXIT_CONTROL = 'X-Daytona-Pty-Exit-Control';
const envsToken = (envs: Record<string, string>) =>
  `X-Daytona-Pty-Envs~${Buffer.from(JSON.stringify(envs)).toString('base64url')}`;

async function rejected(p: Promise<unknown>): Promise<UpgradeRejected> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UpgradeRejected) return e;
    throw e;
  }
  throw new Error('expected the upgrade to be rejected');
}

describe('toolbox PTY over WebSocket', () => {
  let stack: Stack;
  let id: string;
  // Time only moves when the auto-stop test says so.
  const clock = new ManualClock(Date.now());
  const open: WsClient[] = [];
  const track = (c: WsClient) => (open.push(c), c);

  before(async () => {
    // A fixed port so the DTO's toolboxProxyUrl (from the public URL) reaches this server, for the SDK test.
    const port = await freePort();
    stack = await startStack({ clock, config: { port, publicUrl: `http://127.0.0.1:${port}` } });
    id = (await createSandbox(stack, { name: 'pty-1', cpu: 1, memory: 1, autoStopInterval: 15 })).id;
  });
  after(async () => {
    await Promise.allSettled(open.map((c) => c.close()));
    await stack?.close();
  });

  it('creates a terminal, runs a typed command with envs and cwd, and reports the exit', async () => {
    const c = track(
      await connectWs(stack, id, 'process/pty/create-connect?id=t1&cols=100&rows=30&cwd=/tmp', {
        protocols: [envsToken({ FOO: 'bar-123' }), EXIT_CONTROL],
      }),
    );
    assert.equal(c.protocol, EXIT_CONTROL, 'the exit-control subprotocol is echoed');
    await c.waitFor(() => c.messages.length > 0, 'first message');
    assert.equal(c.messages[0]!.binary, false);
    assert.deepEqual(JSON.parse(c.messages[0]!.data.toString()), { type: 'control', status: 'connected' });

    c.send('echo "v=$FOO term=$TERM"; pwd\n');
    await c.waitForOutput('v=bar-123 term=xterm-256color');
    await c.waitForOutput(/\r\n\/tmp\r\n/);

    const info = await stack.api('GET', `/toolbox/${id}/process/pty/t1`);
    assert.equal(info.status, 200);
    assert.equal(info.body.id, 't1');
    assert.equal(info.body.cwd, '/tmp');
    assert.deepEqual(info.body.envs, { FOO: 'bar-123' });
    assert.equal(info.body.cols, 100);
    assert.equal(info.body.rows, 30);
    assert.equal(info.body.active, true);
    assert.equal(info.body.lazyStart, false);
    assert.ok(!Number.isNaN(Date.parse(info.body.createdAt)));
    const list = await stack.api('GET', `/toolbox/${id}/process/pty`);
    assert.ok(list.body.sessions.some((s: { id: string }) => s.id === 't1'));

    c.send('exit 3\n');
    const closed = await c.closed;
    assert.equal(closed.code, 1011);
    assert.deepEqual(JSON.parse(closed.reason), { exitCode: 3, exitReason: 'non-zero exit' });
    assert.deepEqual(c.json().at(-1), { type: 'control', status: 'exited', exitCode: 3, exitReason: 'non-zero exit' });
    // The session is gone once its shell exited; the id is free again.
    assert.equal((await stack.api('GET', `/toolbox/${id}/process/pty/t1`)).status, 404);
  });

  it('resizes the terminal, visible to `stty size`', async () => {
    const c = track(
      await connectWs(stack, id, 'process/pty/create-connect?id=t2&cols=80&rows=24', { protocols: [EXIT_CONTROL] }),
    );
    await c.waitFor(() => c.json().length > 0, 'connected');
    c.send('stty size\n');
    await c.waitForOutput('24 80');
    const r = await stack.api('POST', `/toolbox/${id}/process/pty/t2/resize`, { cols: 132, rows: 43 });
    assert.equal(r.status, 200);
    assert.equal(r.body.cols, 132);
    assert.equal(r.body.rows, 43);
    c.send('stty size\n');
    await c.waitForOutput('43 132');
    const bad = await stack.api('POST', `/toolbox/${id}/process/pty/t2/resize`, { cols: 1001, rows: 10 });
    assert.equal(bad.status, 400);
    c.send('exit\n');
    const closed = await c.closed;
    assert.equal(closed.code, 1000);
    assert.deepEqual(JSON.parse(closed.reason), { exitCode: 0 });
    assert.deepEqual(c.json().at(-1), { type: 'control', status: 'exited', exitCode: 0 });
  });

  it('broadcasts output to every attached client and reports the exit to all', async () => {
    const a = track(
      await connectWs(stack, id, 'process/pty/create-connect?id=t3&cols=80&rows=24', { protocols: [EXIT_CONTROL] }),
    );
    await a.waitFor(() => a.json().length > 0, 'connected');
    // No exit-control subprotocol on this one: no `exited` message, exit only in the close frame.
    const b = track(await connectWs(stack, id, 'process/pty/t3/connect', { protocols: ['some-other-token'] }));
    assert.equal(b.protocol, 'some-other-token', 'one of the offered subprotocols is always selected');
    await b.waitFor(() => b.json().length > 0, 'connected');
    assert.deepEqual(b.json()[0], { type: 'control', status: 'connected' });
    b.send('echo from-$((40+2))\n');
    await a.waitForOutput('from-42');
    await b.waitForOutput('from-42');
    a.send('exit 0\n');
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    assert.equal(ca.code, 1000);
    assert.equal(cb.code, 1000);
    assert.ok(a.json().some((m) => m.status === 'exited'));
    assert.ok(!b.json().some((m) => m.status === 'exited'), 'no exited message without the exit-control subprotocol');
  });

  it('keeps a session alive across disconnects and kills it on DELETE', async () => {
    const created = await stack.api('POST', `/toolbox/${id}/process/pty`, { id: 't4', cols: 90, rows: 20 });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, { sessionId: 't4' });
    const c1 = track(await connectWs(stack, id, 'process/pty/t4/connect', { protocols: [EXIT_CONTROL] }));
    await c1.waitFor(() => c1.json().length > 0, 'connected');
    c1.send('export KEEP=kept-value\n');
    await c1.close();
    const c2 = track(await connectWs(stack, id, 'process/pty/t4/connect', { protocols: [EXIT_CONTROL] }));
    await c2.waitFor(() => c2.json().length > 0, 'connected');
    c2.send('echo "[$KEEP]"; sleep 600\n');
    await c2.waitForOutput('[kept-value]');
    const killed = await stack.api('DELETE', `/toolbox/${id}/process/pty/t4`);
    assert.equal(killed.status, 200);
    const closed = await c2.closed;
    assert.equal(closed.code, 1011);
    assert.deepEqual(JSON.parse(closed.reason), { exitCode: 137, exitReason: 'SIGKILL' });
    assert.equal(
      (await stack.api('GET', `/toolbox/${id}/process/pty`)).body.sessions.some((s: { id: string }) => s.id === 't4'),
      false,
    );
    // Nothing of the session survives (sleep was in its process tree).
    const ps = await stack.api('POST', `/toolbox/${id}/process/execute`, { command: 'ps -eo args' });
    assert.doesNotMatch(ps.body.result, /sleep 600/);
  });

  it('reports an unknown session on the socket, and 404 over HTTP', async () => {
    const c = track(await connectWs(stack, id, 'process/pty/nope/connect', { protocols: [EXIT_CONTROL] }));
    const closed = await c.closed;
    assert.equal(c.json()[0].type, 'control');
    assert.equal(c.json()[0].status, 'error');
    assert.match(c.json()[0].error, /not found/);
    assert.notEqual(closed.code, 1000);
    assert.match(JSON.parse(closed.reason).error, /not found/);
    for (const [method, path] of [
      ['GET', 'nope'],
      ['POST', 'nope/resize'],
      ['DELETE', 'nope'],
    ] as const) {
      const r = await stack.api(
        method,
        `/toolbox/${id}/process/pty/${path}`,
        method === 'POST' ? { cols: 10, rows: 10 } : undefined,
      );
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.body.source, 'DAYTONA_DAEMON');
    }
  });

  it('rejects a duplicate id (409) and a bad envs token (400) before upgrading', async () => {
    const c = track(
      await connectWs(stack, id, 'process/pty/create-connect?id=dup&cols=80&rows=24', { protocols: [EXIT_CONTROL] }),
    );
    await c.waitFor(() => c.json().length > 0, 'connected');
    const dup = await rejected(
      connectWs(stack, id, 'process/pty/create-connect?id=dup&cols=80&rows=24', { protocols: [EXIT_CONTROL] }),
    );
    assert.equal(dup.status, 409);
    assert.equal(dup.body.source, 'DAYTONA_DAEMON');
    const badEnvs = await rejected(
      connectWs(stack, id, 'process/pty/create-connect?id=envs&cols=80&rows=24', {
        protocols: ['X-Daytona-Pty-Envs~!!!not-base64', EXIT_CONTROL],
      }),
    );
    assert.equal(badEnvs.status, 400);
    const notJson = await rejected(
      connectWs(stack, id, 'process/pty/create-connect?id=envs&cols=80&rows=24', {
        protocols: [`X-Daytona-Pty-Envs~${Buffer.from('[1,2').toString('base64url')}`, EXIT_CONTROL],
      }),
    );
    assert.equal(notJson.status, 400);
    const tooWide = await rejected(
      connectWs(stack, id, 'process/pty/create-connect?id=wide&cols=1001&rows=24', { protocols: [EXIT_CONTROL] }),
    );
    assert.equal(tooWide.status, 400);
    const noId = await rejected(
      connectWs(stack, id, 'process/pty/create-connect?cols=80&rows=24', { protocols: [EXIT_CONTROL] }),
    );
    assert.equal(noId.status, 400);
    await stack.api('DELETE', `/toolbox/${id}/process/pty/dup`);
    await c.closed;
  });

  it('authenticates the upgrade and scopes it to the organization', async () => {
    const none = await rejected(
      connectWs(stack, id, 'process/pty/create-connect?id=auth&cols=80&rows=24', {
        key: null,
        protocols: [EXIT_CONTROL],
      }),
    );
    assert.equal(none.status, 401);
    const wrong = await rejected(
      connectWs(stack, id, 'process/pty/create-connect?id=auth&cols=80&rows=24', {
        key: 'berth_not_a_real_key_0000000000',
        protocols: [EXIT_CONTROL],
      }),
    );
    assert.equal(wrong.status, 401);
    const otherKey = await otherOrganizationKey(stack);
    const foreign = await rejected(
      connectWs(stack, id, 'process/pty/create-connect?id=auth&cols=80&rows=24', {
        key: otherKey,
        protocols: [EXIT_CONTROL],
      }),
    );
    assert.equal(foreign.status, 404);
    // Nothing was created on the other organization's behalf.
    assert.equal((await stack.api('GET', `/toolbox/${id}/process/pty/auth`)).status, 404);
    const unknownSandbox = await rejected(
      connectWs(stack, 'no-such-sandbox', 'process/pty/create-connect?id=auth&cols=80&rows=24', {
        protocols: [EXIT_CONTROL],
      }),
    );
    assert.equal(unknownSandbox.status, 404);
    const unknownRoute = await rejected(connectWs(stack, id, 'process/nothing-here', {}));
    assert.equal(unknownRoute.status, 404);
  });

  it('sends no subprotocol when none was offered, and echoes an SDK version token', async () => {
    const plain = track(await connectWs(stack, id, 'process/pty/create-connect?id=np&cols=80&rows=24'));
    assert.equal(plain.protocol, '');
    await plain.waitFor(() => plain.json().length > 0, 'connected');
    const browser = track(
      await connectWs(stack, id, 'process/pty/np/connect', { protocols: ['X-Daytona-SDK-Version~0.218.0'] }),
    );
    assert.equal(browser.protocol, 'X-Daytona-SDK-Version~0.218.0');
    await browser.waitFor(() => browser.json().length > 0, 'connected');
    plain.send('exit 130\n');
    const closed = await plain.closed;
    assert.equal(closed.code, 1011);
    assert.deepEqual(JSON.parse(closed.reason), { exitCode: 130, exitReason: 'Ctrl+C' });
    await browser.closed;
  });

  it('leaves upgrades outside /toolbox/ to other listeners', async () => {
    const { port } = new URL(stack.url);
    const sock = net.connect(Number(port), '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let received = '';
    let closed = false;
    sock.on('data', (d) => (received += d.toString()));
    sock.on('close', () => (closed = true));
    sock.write(
      'GET /somewhere-else HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(received, '', 'the toolbox dispatcher does not answer');
    assert.equal(closed, false, 'nor destroy the socket');
    // Once its client is gone, an upgrade nobody answered is let go (it would otherwise block shutdown).
    sock.end();
    await new Promise((r) => sock.once('close', r));
  });

  it('follows session command logs over WebSocket (§6.4): history, live output, close 1000', async () => {
    assert.equal((await stack.api('POST', `/toolbox/${id}/process/session`, { sessionId: 'follow' })).status, 201);
    const started = await stack.api('POST', `/toolbox/${id}/process/session/follow/exec`, {
      command: 'echo first; echo oops >&2; sleep 1; echo second',
      runAsync: true,
    });
    assert.equal(started.status, 202);
    await new Promise((r) => setTimeout(r, 300));
    const c = track(
      await connectWs(stack, id, `process/session/follow/command/${started.body.cmdId}/logs?follow=true`),
    );
    assert.equal(c.protocol, '');
    const closed = await c.closed;
    assert.equal(closed.code, 1000);
    assert.ok(c.messages.every((m) => m.binary));
    const raw = Buffer.concat(c.messages.map((m) => m.data));
    const demux = { stdout: '', stderr: '' };
    let cur: 'stdout' | 'stderr' | null = null;
    for (let i = 0; i < raw.length;) {
      if (raw[i] === raw[i + 1] && raw[i] === raw[i + 2] && (raw[i] === 1 || raw[i] === 2)) {
        cur = raw[i] === 1 ? 'stdout' : 'stderr';
        i += 3;
      } else {
        if (cur) demux[cur] += String.fromCharCode(raw[i]!);
        i++;
      }
    }
    assert.deepEqual(demux, { stdout: 'first\nsecond\n', stderr: 'oops\n' });
    await stack.api('DELETE', `/toolbox/${id}/process/session/follow`);
  });

  it('works with the Daytona SDK (createPty, sendInput, resize, wait, kill)', async () => {
    const { Daytona } = await import('@daytonaio/sdk');
    const daytona = new Daytona({ apiKey: stack.key, apiUrl: stack.apiUrl, target: 'local' });
    const sandbox = await daytona.get(id);
    let out = '';
    const handle = await sandbox.process.createPty({
      id: 'sdk-1',
      cols: 120,
      rows: 30,
      envs: { SDKVAR: 'from-sdk' },
      onData: (d: Uint8Array) => void (out += Buffer.from(d).toString()),
    });
    await handle.sendInput('echo "[$SDKVAR]"; stty size\n');
    const deadline = Date.now() + 15_000;
    while (!(out.includes('[from-sdk]') && out.includes('30 120')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(out.includes('[from-sdk]') && out.includes('30 120'), out);
    await handle.resize(100, 25);
    const info = await sandbox.process.getPtySessionInfo('sdk-1');
    assert.equal(info.cols, 100);
    await handle.sendInput('exit 7\n');
    const result = await handle.wait();
    assert.equal(result.exitCode, 7);

    const second = await sandbox.process.createPty({ id: 'sdk-2', onData: () => {} });
    await second.kill();
    const killed = await second.wait();
    assert.equal(killed.exitCode, 137);
    await second.disconnect();
    await handle.disconnect();
  });

  // Last: it stops the sandbox.
  it('keeps the sandbox from auto-stopping while a terminal is attached', async () => {
    const state = async () => (await stack.api('GET', `/sandbox/${id}`)).body.state;
    const c = track(
      await connectWs(stack, id, 'process/pty/create-connect?id=busy&cols=80&rows=24', { protocols: [EXIT_CONTROL] }),
    );
    await c.waitFor(() => c.json().length > 0, 'connected');
    await clock.advanceMinutes(60);
    await stack.server.orch.reconciler.sweep();
    assert.equal(await state(), 'started', 'an open terminal is activity');
    await c.close();
    await new Promise((r) => setTimeout(r, 200));
    await clock.advanceMinutes(10);
    await stack.server.orch.reconciler.sweep();
    assert.equal(await state(), 'started', 'the idle time starts when the terminal closes');
    await clock.advanceMinutes(6);
    await stack.server.orch.reconciler.sweep();
    assert.equal(await state(), 'stopped');
  });
});

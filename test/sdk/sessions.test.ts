// Process sessions through the SDK: state kept between commands, async
// commands with streamed logs and input, session listing and deletion.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Sandbox } from '@daytonaio/sdk';
import { eventually, sdkStack, type SdkStack } from './helpers.js';

describe('SDK: sessions', () => {
  let t: SdkStack;
  let s: Sandbox;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox();
  });
  after(async () => {
    await t?.close();
  });

  it('runs commands synchronously in one shell that keeps its state', async () => {
    await s.process.createSession('sync');
    const a = await s.process.executeSessionCommand('sync', { command: 'export GREETING=hello && cd /tmp' });
    assert.equal(a.exitCode, 0);
    const b = await s.process.executeSessionCommand('sync', { command: 'echo $GREETING from $(pwd); echo oops >&2' });
    assert.equal(b.exitCode, 0);
    assert.equal(b.stdout, 'hello from /tmp\n');
    assert.equal(b.stderr, 'oops\n');
    const c = await s.process.executeSessionCommand('sync', { command: 'false' });
    assert.equal(c.exitCode, 1);
    const session = await s.process.getSession('sync');
    assert.equal(session.sessionId, 'sync');
    assert.equal(session.commands?.length, 3);
    const logs = await s.process.getSessionCommandLogs('sync', b.cmdId!);
    assert.equal(logs.stdout, 'hello from /tmp\n');
    assert.equal(logs.stderr, 'oops\n');
  });

  it('runs commands asynchronously with streamed logs and input', async () => {
    await s.process.createSession('async');
    const started = await s.process.executeSessionCommand('async', {
      command: 'for i in 1 2 3; do echo line$i; sleep 0.3; done; echo warn >&2',
      runAsync: true,
    });
    assert.ok(started.cmdId);
    const running = await s.process.getSessionCommand('async', started.cmdId);
    assert.equal(running.exitCode ?? null, null, 'still running');
    let out = '';
    let err = '';
    await s.process.getSessionCommandLogs(
      'async',
      started.cmdId,
      (c) => void (out += c),
      (c) => void (err += c),
    );
    assert.equal(out, 'line1\nline2\nline3\n');
    assert.equal(err, 'warn\n');
    assert.equal(
      await eventually(async () => (await s.process.getSessionCommand('async', started.cmdId)).exitCode === 0),
      true,
    );

    // Input is echoed into the log like a terminal would, unless the command asks otherwise.
    const reader = await s.process.executeSessionCommand('async', {
      command: 'read name; echo "got $name"',
      runAsync: true,
    });
    await s.process.sendSessionCommandInput('async', reader.cmdId!, 'berth\n');
    let said = '';
    await s.process.getSessionCommandLogs(
      'async',
      reader.cmdId!,
      (c) => void (said += c),
      () => {},
    );
    assert.equal(said, 'berth\ngot berth\n');
    const quiet = await s.process.executeSessionCommand('async', {
      command: 'read name; echo "got $name"',
      runAsync: true,
      suppressInputEcho: true,
    });
    await s.process.sendSessionCommandInput('async', quiet.cmdId!, 'secret\n');
    let quietOut = '';
    await s.process.getSessionCommandLogs(
      'async',
      quiet.cmdId!,
      (c) => void (quietOut += c),
      () => {},
    );
    assert.equal(quietOut, 'got secret\n');
  });

  it('lists and deletes sessions', async () => {
    const ids = (await s.process.listSessions()).map((x) => x.sessionId).sort();
    assert.ok(ids.includes('sync') && ids.includes('async'), ids.join(','));
    await s.process.deleteSession('sync');
    await s.process.deleteSession('async');
    assert.ok(!(await s.process.listSessions()).some((x) => x.sessionId === 'sync' || x.sessionId === 'async'));
  });
});

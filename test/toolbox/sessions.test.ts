// Sessions over real HTTP in a real sandbox: state that persists between
// commands, sync and async commands, input, logs (JSON and followed), output
// from offsets with long-poll, kill, and errors for unknown ids.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSandbox } from '../helpers/stack.js';
import { assertDaemonError, q, toolboxFixture, type Toolbox } from './fixture.js';
import type { Json } from '../helpers/json.js';

/** Splits §6.4-framed bytes into stdout and stderr text. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  let stream = 0;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let i = 0; i < buf.length;) {
    if (i + 2 < buf.length && buf[i] === buf[i + 1] && buf[i] === buf[i + 2] && (buf[i] === 1 || buf[i] === 2)) {
      stream = buf[i]!;
      i += 3;
      continue;
    }
    (stream === 1 ? out : err).push(buf.subarray(i, i + 1));
    i++;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('toolbox: sessions', () => {
  let t: Toolbox;
  before(async () => {
    t = await toolboxFixture();
  });
  after(async () => {
    await t?.close();
  });

  const session = async (name: string) => {
    const r = await t.tb('POST', '/process/session', { sessionId: name });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  const run = async (sid: string, command: string, extra: Record<string, unknown> = {}) =>
    t.tb('POST', `/process/session/${sid}/exec`, { command, ...extra });

  it('keeps cd and export between commands and reports exit codes and streams', async () => {
    await session('state');
    try {
      const cd = await run(
        'state',
        'mkdir -p /tmp/sess-dir && cd /tmp/sess-dir && export GREETING=hi && f() { echo "fn:$1"; }',
      );
      assert.equal(cd.status, 200);
      assert.equal(cd.body.exitCode, 0);
      assert.ok(cd.body.cmdId);
      const r = await run(
        'state',
        'pwd; echo $GREETING; f x; echo oops >&2; exit_code_is() { return 7; }; exit_code_is',
      );
      assert.equal(r.body.exitCode, 7);
      assert.equal(r.body.stdout, '/tmp/sess-dir\nhi\nfn:x\n');
      assert.equal(r.body.stderr, 'oops\n');
      assert.match(r.body.output, /hi/);
      // A syntax error fails the command, not the session.
      const bad = await run('state', 'if then fi');
      assert.notEqual(bad.body.exitCode, 0);
      assert.equal((await run('state', 'echo $GREETING')).body.stdout, 'hi\n');
      // Sync commands read EOF on stdin instead of hanging.
      assert.equal((await run('state', 'cat; echo after')).body.stdout, 'after\n');

      const list = await t.tb('GET', '/process/session');
      assert.ok(list.body.some((s: Json) => s.sessionId === 'state'));
      const info = await t.tb('GET', '/process/session/state');
      assert.equal(info.body.sessionId, 'state');
      assert.equal(info.body.commands.length, 5);
      assert.deepEqual(info.body.commands[1].exitCode, 7);
      const cmd = await t.tb('GET', `/process/session/state/command/${r.body.cmdId}`);
      assert.equal(cmd.body.id, r.body.cmdId);
      assert.equal(cmd.body.exitCode, 7);
      assert.match(cmd.body.command, /exit_code_is/);
    } finally {
      await t.tb('DELETE', '/process/session/state');
    }
  });

  it('runs async commands that take input, with status, logs and followed logs', async () => {
    await session('async');
    try {
      const a = await run('async', 'read name; echo "hello $name"; echo warn >&2; read n2; echo "bye $n2"', {
        runAsync: true,
      });
      assert.equal(a.status, 202);
      const cid = a.body.cmdId;
      const running = await t.tb('GET', `/process/session/async/command/${cid}`);
      assert.equal(running.body.exitCode, undefined);

      // Follow the log over HTTP while the command still waits for input.
      const res = await fetch(`${t.stack.url}/toolbox/${t.id}/process/session/async/command/${cid}/logs?follow=true`, {
        headers: { authorization: `Bearer ${t.stack.key}` },
      });
      assert.equal(res.status, 200);
      const followed = res.arrayBuffer();

      assert.equal(
        (await t.tb('POST', `/process/session/async/command/${cid}/input`, { data: 'berth\n' })).status,
        204,
      );
      const out1 = await t.tb(
        'GET',
        `/process/session/async/command/${cid}/output${q({ offset: '0', waitMs: '5000' })}`,
      );
      assert.equal(out1.body.running, true);
      assert.match(out1.body.output, /berth/);
      assert.equal((await t.tb('POST', `/process/session/async/command/${cid}/input`, { data: 'now\n' })).status, 204);

      const framed = demux(Buffer.from(await followed));
      assert.equal(framed.stdout, 'berth\nhello berth\nnow\nbye now\n');
      assert.equal(framed.stderr, 'warn\n');

      const done = await t.tb('GET', `/process/session/async/command/${cid}`);
      assert.equal(done.body.exitCode, 0);
      const logs = await t.tb('GET', `/process/session/async/command/${cid}/logs`);
      assert.deepEqual(logs.body, {
        output: 'berth\nhello berth\nwarn\nnow\nbye now\n',
        stdout: 'berth\nhello berth\nnow\nbye now\n',
        stderr: 'warn\n',
      });
      // Input with the echo suppressed does not show in the log.
      const s = await run('async', 'read x; echo "got:$x"', { runAsync: true, suppressInputEcho: true });
      await t.tb('POST', `/process/session/async/command/${s.body.cmdId}/input`, { data: 'quiet\n' });
      const quiet = await t.tb('GET', `/process/session/async/command/${s.body.cmdId}/output${q({ waitMs: '5000' })}`);
      assert.equal(quiet.body.stdout, 'got:quiet\n');
      const closed = await t.tb('POST', `/process/session/async/command/${s.body.cmdId}/input`, { data: 'late' });
      await new Promise((r) => setTimeout(r, 200));
      if (closed.status !== 204) assertDaemonError(closed, 410, 'COMMAND_ALREADY_COMPLETED');
      assertDaemonError(
        await t.tb('POST', `/process/session/async/command/${s.body.cmdId}/input`, { data: 'late' }),
        410,
        'COMMAND_ALREADY_COMPLETED',
      );
    } finally {
      await t.tb('DELETE', '/process/session/async');
    }
  });

  it('reads output from offsets with long-poll, and kills a command tree but not earlier background work', async () => {
    await session('bg');
    try {
      await run('bg', 'sleep 300 & echo $! > /tmp/earlier.pid');
      const a = await run('bg', 'for i in 1 2 3; do echo line$i; sleep 0.3; done; sleep 300 & wait $!', {
        runAsync: true,
      });
      const cid = a.body.cmdId;
      let offset = 0;
      let text = '';
      while (!text.includes('line3')) {
        const o = await t.tb(
          'GET',
          `/process/session/bg/command/${cid}/output${q({ offset: String(offset), waitMs: '3000' })}`,
        );
        assert.equal(o.status, 200);
        assert.equal(o.body.offset, offset);
        text += o.body.output;
        offset = o.body.nextOffset;
      }
      assert.equal(text, 'line1\nline2\nline3\n');
      const t0 = Date.now();
      const idle = await t.tb(
        'GET',
        `/process/session/bg/command/${cid}/output${q({ offset: String(offset), waitMs: '600' })}`,
      );
      assert.ok(Date.now() - t0 >= 500, 'long-poll waited');
      assert.equal(idle.body.output, '');
      assert.equal(idle.body.running, true);

      const k = await t.tb('POST', `/process/session/bg/command/${cid}/kill`, {});
      assert.equal(k.status, 200, JSON.stringify(k.body));
      assert.equal(k.body.state, 'exited');
      assert.equal((await t.tb('GET', `/process/session/bg/command/${cid}`)).body.exitCode, 137);
      // The session lives on, and so does what an earlier command started.
      assert.equal((await run('bg', 'kill -0 $(cat /tmp/earlier.pid) && echo alive')).body.stdout, 'alive\n');
      assertDaemonError(
        await t.tb('POST', `/process/session/bg/command/${cid}/kill`, {}),
        410,
        'COMMAND_ALREADY_COMPLETED',
      );
      // A loop of builtins can only be stopped with its shell: the session ends.
      const loop = await run('bg', 'while :; do :; done', { runAsync: true });
      await t.tb('POST', `/process/session/bg/command/${loop.body.cmdId}/kill`, {});
      assertDaemonError(await run('bg', 'echo x'), 410, 'SESSION_ENDED');
    } finally {
      await t.tb('DELETE', '/process/session/bg');
      await t.sh('pkill -f "sleep 300"; rm -f /tmp/earlier.pid');
    }
  });

  it('ends a session whose shell exits, and answers unknown or bad ids with 4xx', async () => {
    await session('exit');
    try {
      const r = await run('exit', 'echo bye; exit 4');
      assert.equal(r.body.exitCode, 4);
      assert.equal(r.body.stdout, 'bye\n');
      assertDaemonError(await run('exit', 'true'), 410, 'SESSION_ENDED');
    } finally {
      await t.tb('DELETE', '/process/session/exit');
    }
    assertDaemonError(await t.tb('GET', '/process/session/nope'), 404, 'NOT_FOUND');
    assertDaemonError(await run('nope', 'true'), 404, 'NOT_FOUND');
    assertDaemonError(await t.tb('DELETE', '/process/session/nope'), 404, 'NOT_FOUND');
    await session('ids');
    try {
      assertDaemonError(await t.tb('POST', '/process/session', { sessionId: 'ids' }), 409, 'CONFLICT');
      assertDaemonError(
        await t.tb('GET', '/process/session/ids/command/00000000-0000-0000-0000-000000000000'),
        404,
        'PROCESS_NOT_FOUND',
      );
      assertDaemonError(await t.tb('GET', '/process/session/ids/command/x/logs'), 404, 'PROCESS_NOT_FOUND');
      assertDaemonError(
        await t.tb('POST', '/process/session/ids/command/x/input', { data: 'a' }),
        404,
        'PROCESS_NOT_FOUND',
      );
      assertDaemonError(
        await t.tb('GET', `/process/session/ids/command/x/output${q({ offset: '-1' })}`),
        400,
        'BAD_REQUEST',
      );
      assertDaemonError(await t.tb('POST', '/process/session/ids/exec', { command: '' }), 400, 'INVALID_REQUEST_BODY');
      const sync = await run('ids', 'true');
      assertDaemonError(
        await t.tb('POST', `/process/session/ids/command/${sync.body.cmdId}/input`, { data: 'a' }),
        410,
        'COMMAND_ALREADY_COMPLETED',
      );
    } finally {
      await t.tb('DELETE', '/process/session/ids');
    }
    assertDaemonError(await t.tb('POST', '/process/session', { sessionId: 'entrypoint' }), 409, 'CONFLICT');
    assertDaemonError(await t.tb('POST', '/process/session', { sessionId: 'a b' }), 400, 'INVALID_REQUEST_BODY');
    assertDaemonError(await t.tb('POST', '/process/session', {}), 400, 'INVALID_REQUEST_BODY');
  });

  it('shows the image entrypoint as the entrypoint session', async () => {
    const empty = await t.tb('GET', '/process/session/entrypoint');
    assert.deepEqual([empty.body.sessionId, empty.body.commands], ['entrypoint', []]);
    assert.deepEqual((await t.tb('GET', '/process/session/entrypoint/logs')).body, {
      output: '',
      stdout: '',
      stderr: '',
    });

    const image = 'berth-test/entrypoint-logs:latest';
    execFileSync('docker', ['build', '-q', '-t', image, '-'], {
      input:
        'FROM berth/sandbox-base:latest\nCMD ["sh", "-c", "echo from-entrypoint; echo to-stderr >&2; sleep 600"]\n',
    });
    let id = '';
    try {
      id = (await createSandbox(t.stack, { image, cpu: 1, memory: 1, disk: 2 })).id;
      const s = await t.stack.api('GET', `/toolbox/${id}/process/session/entrypoint`);
      assert.equal(s.body.commands.length, 1);
      assert.match(s.body.commands[0].command, /from-entrypoint/);
      assert.equal(s.body.commands[0].exitCode, undefined);
      let logs: Json;
      for (let i = 0; i < 50; i++) {
        logs = (await t.stack.api('GET', `/toolbox/${id}/process/session/entrypoint/logs`)).body;
        if (logs.stderr) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(logs, {
        output: 'from-entrypoint\nto-stderr\n',
        stdout: 'from-entrypoint\n',
        stderr: 'to-stderr\n',
      });
      assertDaemonError(await t.stack.api('DELETE', `/toolbox/${id}/process/session/entrypoint`), 400, 'BAD_REQUEST');
    } finally {
      if (id) await t.stack.api('DELETE', `/sandbox/${id}`);
      execFileSync('docker', ['rmi', '-f', image]);
    }
  });
});

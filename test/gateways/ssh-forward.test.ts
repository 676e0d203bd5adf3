// Port forwarding and long sessions through the gateway with the real
// OpenSSH client: `ssh -L` to an app bound to the sandbox's loopback (an HTTP
// request through it), a closed port, `-R` refused with a message, client
// keep-alives answered, and an open session keeping its sandbox from
// auto-stopping.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../common/clock.js';
import { freePort } from '../helpers/free-port.js';
import { createSandbox } from '../helpers/stack.js';
import { openSession, ssh, sshFixture, type SshFixture } from './ssh-helpers.js';

describe('ssh gateway: forwarding and long sessions', () => {
  let f: SshFixture;
  let token: string;
  const clock = new ManualClock(Date.now());

  before(async () => {
    f = await sshFixture({ stack: { clock } });
    token = await f.token();
  });
  after(async () => {
    await f?.close();
  });

  it('forwards a local port to an app on the sandbox loopback (ssh -L), and an HTTP request goes through', async () => {
    const local = await freePort();
    // The app runs in the same SSH session that forwards to it.
    const child = spawn(
      'ssh',
      [
        ...f.opts,
        '-p',
        String(f.port),
        '-L',
        `${local}:localhost:8765`,
        `${token}@127.0.0.1`,
        'cd /tmp && echo forwarded > hello.txt && exec python3 -m http.server 8765 --bind 127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    try {
      let body = '';
      for (let i = 0; i < 100 && !body; i++) {
        body = await fetch(`http://127.0.0.1:${local}/hello.txt`).then(
          (r) => (r.ok ? r.text() : ''),
          () => '',
        );
        if (!body) await sleep(100);
      }
      assert.equal(body, 'forwarded\n');
      const big = await fetch(`http://127.0.0.1:${local}/`).then((r) => r.status);
      assert.equal(big, 200);
    } finally {
      child.kill();
    }
  });

  it('says so when nothing listens on the forwarded port', async () => {
    const local = await freePort();
    // ssh takes the first value of an option: replace the fixture's LogLevel=ERROR (the refusal is logged at INFO).
    const opts = f.opts.map((o) => (o === 'LogLevel=ERROR' ? 'LogLevel=INFO' : o));
    const child = spawn(
      'ssh',
      [...opts, '-p', String(f.port), '-L', `${local}:localhost:8799`, `${token}@127.0.0.1`, 'sleep 20'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    try {
      let refused = false;
      for (let i = 0; i < 100 && !refused; i++) {
        refused = await fetch(`http://127.0.0.1:${local}/`).then(
          () => false,
          (e: Error & { cause?: { code?: string } }) =>
            e.cause?.code === 'ECONNRESET' || /other side closed|socket/i.test(String(e.cause ?? e)),
        );
        if (!refused) await sleep(100);
      }
      for (let i = 0; i < 50 && !/open failed/.test(err); i++) await sleep(100);
      assert.match(err, /channel \d+: open failed: connect failed/);
    } finally {
      child.kill();
    }
  });

  it('refuses remote forwarding (-R) with a message, and the session still runs', async () => {
    const r = await ssh(f, token, ['-R', '9999:localhost:80', 'echo still here']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'still here\n');
    assert.match(r.stderr, /remote port forwarding \(-R \S*9999\) is not offered by this server; use -L/);
  });

  it('answers client keep-alives', async () => {
    const r = await ssh(f, token, [
      '-o',
      'ServerAliveInterval=1',
      '-o',
      'ServerAliveCountMax=2',
      'sleep 4; echo alive',
    ]);
    assert.equal(r.stdout, 'alive\n', r.stderr);
  });

  it('keeps its sandbox from auto-stopping while a session is open', async () => {
    const s = await createSandbox(f.stack, { autoStopInterval: 1 });
    const made = await f.stack.api('POST', `/sandbox/${s.id}/ssh-access`);
    const session = await openSession(f, made.body.token);
    const { orch } = f.stack.server;
    await clock.advanceMinutes(5);
    await orch.reconciler.sweep();
    assert.equal(
      (await f.stack.api('GET', `/sandbox/${s.id}`)).body.state,
      'started',
      'an open SSH session is activity',
    );
    session.kill();
    await session.exit;
    for (let i = 0; i < 50 && f.stack.server.ssh!.openConnections() > 0; i++) await sleep(100);
    await clock.advanceMinutes(5);
    await orch.reconciler.sweep();
    let state = '';
    for (let i = 0; i < 100 && state !== 'stopped'; i++) {
      state = (await f.stack.api('GET', `/sandbox/${s.id}`)).body.state;
      if (state !== 'stopped') await sleep(200);
    }
    assert.equal(state, 'stopped', 'idle again once the session closed');
  });
});

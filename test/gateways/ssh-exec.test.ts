// `ssh host cmd` and shells through the gateway with the real OpenSSH client:
// stdout and stderr apart, exit codes and signals, stdin to end-of-file, env
// requests, a login shell on a terminal with TERM and resizes, and the
// sshCommand the API prints, run exactly as given.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pty from 'node-pty';
import { sshFixture, ssh, run, type SshFixture } from './ssh-helpers.js';

describe('ssh gateway: commands and shells', () => {
  let f: SshFixture;
  let token: string;

  before(async () => {
    f = await sshFixture();
    token = await f.token();
  });
  after(async () => {
    await f?.close();
  });

  it('runs a command with stdout and stderr apart and its exit code', async () => {
    const r = await ssh(f, token, ['echo out; echo err >&2; exit 7']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 7);
    assert.equal((await ssh(f, token, ['true'])).code, 0);
  });

  it('passes stdin through to end-of-file, 8 MiB intact, and ends cleanly', async () => {
    const data = Buffer.alloc(8 << 20, 'abc');
    const r = await ssh(f, token, ['sha256sum'], { input: data });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'));
  });

  it('streams large output with backpressure', async () => {
    const r = await ssh(f, token, ['head -c 20000000 /dev/zero | tr "\\0" x']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 20_000_000);
  });

  it('reports a command killed by a signal as ssh does', async () => {
    const r = await ssh(f, token, ['kill -TERM $$']);
    assert.equal(r.code, 255, 'ssh exits 255 when the remote command died of a signal');
  });

  it('takes environment variables the client sends', async () => {
    const r = await ssh(f, token, ['-o', 'SendEnv=BERTH_T*', 'echo "$BERTH_T_ONE/$BERTH_T_TWO"'], {
      env: { BERTH_T_ONE: 'a b', BERTH_T_TWO: 'c' },
    });
    assert.equal(r.stdout, 'a b/c\n', r.stderr);
  });

  it('gives `ssh -tt` a login shell on a terminal with TERM', async () => {
    const r = await ssh(f, token, ['-tt'], {
      input: 'echo "T=$TERM S=$SHELL"; tty; stty size; exit 3\n',
      env: { TERM: 'xterm-256color' },
    });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /T=xterm-256color S=\/bin\/bash/);
    assert.match(r.stdout, /\/dev\/pts\/\d+/);
    assert.match(r.stdout, /berth@sandbox/, 'the login shell read the profile (PS1 from ~/.bashrc)');
  });

  it('follows the client terminal: window size changes and ^C reach the remote shell', async () => {
    // A real terminal for the client (node-pty), as a person's would be.
    const term = pty.spawn('ssh', [...f.opts, '-p', String(f.port), '-t', `${token}@127.0.0.1`], {
      cols: 100,
      rows: 30,
      name: 'xterm-256color',
      env: { ...process.env, TERM: 'xterm-256color' } as Record<string, string>,
    });
    let seen = '';
    term.onData((d) => (seen += d));
    const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(seen); i++) await sleep(50);
      assert.match(seen, re);
    };
    await waitFor(/berth@sandbox/);
    term.write('stty size\r');
    await waitFor(/30 100/);
    term.resize(120, 40);
    await sleep(300);
    term.write('stty size\r');
    await waitFor(/40 120/);
    term.write('sleep 30; echo not-interrupted\r');
    await sleep(500);
    term.write('\x03');
    term.write('echo "after $?"\r');
    await waitFor(/after 130/);
    assert.doesNotMatch(seen, /\nnot-interrupted/, 'the echo after sleep never ran');
    term.write('exit 4\r');
    assert.equal(await exited, 4);
  });

  it('runs the sshCommand the API prints, exactly as given', async () => {
    const r0 = await f.stack.api('POST', `/sandbox/${f.id}/ssh-access`);
    assert.equal(r0.status, 200);
    const parts = (r0.body.sshCommand as string).split(' ');
    assert.deepEqual(parts.slice(0, 3), ['ssh', '-p', String(f.port)]);
    assert.equal(parts[3], `${r0.body.token}@localhost`);
    const r = await run('ssh', [...f.opts, ...parts.slice(1), 'echo', 'hello from', '$((6*7))']);
    assert.equal(r.stdout, 'hello from 42\n', r.stderr);
  });
});

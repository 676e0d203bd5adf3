// `berth sandbox exec` as a user runs it: real CLI processes against a real
// server and sandbox. Output streams as it comes (stdout and stderr apart,
// bytes exact), stdin is passed through, Ctrl-C reaches the command, -t gives
// it a terminal, and the CLI exits with the command's exit code. Also the
// toolbox route it uses (/process/exec/attach) refusing before the upgrade.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as NodePty from 'node-pty';
import WebSocket from 'ws';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import { BIN, cliEnv, runCli, startCli, waitForOutput } from './helpers.js';
import type { Json } from '../helpers/json.js';

const pty = createRequire(import.meta.url)('node-pty') as typeof NodePty;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Runs the CLI with `input` as stdin, keeping its output as bytes. */
function runBytes(
  args: string[],
  env: Record<string, string>,
  input: Buffer,
): Promise<{ code: number | null; out: Buffer; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, timeout: 120_000 });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out: Buffer.concat(out), err })));
}

/** The HTTP answer to a WebSocket upgrade the server refuses. */
function refusedUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

describe('berth sandbox exec', () => {
  let stack: Stack;
  let cfgDir: string;
  let env: Record<string, string>;
  let id: string;
  before(async () => {
    stack = await startStack();
    cfgDir = mkdtempSync(join(tmpdir(), 'berth-exec-'));
    env = cliEnv(stack, join(cfgDir, 'cli.json'));
    id = (await createSandbox(stack, { name: 'execs', cpu: 1, memory: 1, disk: 1 })).id;
  });
  after(async () => {
    await stack?.close();
    rmSync(cfgDir, { recursive: true, force: true });
  });

  it('prints each line as the command writes it, not all at the end', async () => {
    const r = startCli(['sandbox', 'exec', 'execs', '--', 'for i in 1 2 3; do echo $i; sleep 1; done'], env);
    r.child.stdin.end();
    const end = await r.done;
    assert.equal(end.code, 0, r.err);
    assert.equal(r.out, '1\n2\n3\n');
    const ahead = end.at - (r.firstOutAt ?? end.at);
    assert.ok(ahead > 1500, `the first line came ${ahead} ms before the end`);
  });

  it('keeps stdout and stderr apart and exits with the command\u2019s code', async () => {
    const r = await runCli(['sandbox', 'exec', 'execs', '--', 'echo out; echo err >&2; echo out2; exit 3'], env);
    assert.equal(r.code, 3);
    assert.equal(r.out, 'out\nout2\n');
    assert.equal(r.err, 'err\n');
  });

  it('keeps the argument boundaries of a program and its arguments', async () => {
    const r = await runCli(['sandbox', 'exec', 'execs', '--', 'python3', '-c', 'print(6*7)'], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '42\n');
    const argv = ['printf', '%s|', 'a b', "it's", '$HOME', '', '*'];
    const words = await runCli(['sandbox', 'exec', 'execs', '--', ...argv], env);
    assert.equal(words.out, "a b|it's|$HOME||*|");
  });

  it('runs in --cwd with --env', async () => {
    const args = ['--cwd', '/tmp', '--env', 'GREETING=hello world', '--', 'pwd; echo "$GREETING"'];
    const r = await runCli(['sandbox', 'exec', 'execs', ...args], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '/tmp\nhello world\n');
  });

  it('passes stdin through, and ends it', async () => {
    const r = await runCli(['sandbox', 'exec', 'execs', '--', 'cat'], env, 'hi\n');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'hi\n');
    // Bytes, not text, and more than one input call's worth.
    const data = randomBytes(1_300_000);
    const child = startCli(['sandbox', 'exec', 'execs', '--', 'sha256sum'], env);
    child.child.stdin.end(data);
    assert.equal((await child.done).code, 0, child.err);
    assert.equal(child.out.split(' ')[0], createHash('sha256').update(data).digest('hex'));
  });

  it('writes binary output byte-exact on stdout, stderr apart', async () => {
    const command = 'head -c 1048576 /dev/urandom | tee /tmp/rand.bin; sha256sum /tmp/rand.bin >&2';
    const r = await runBytes(['sandbox', 'exec', 'execs', '--', 'bash', '-c', command], env, Buffer.alloc(0));
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.length, 1048576);
    assert.equal(r.err, `${sha256(r.out)}  /tmp/rand.bin\n`);
  });

  it('passes binary stdin through byte-exact', async () => {
    const data = randomBytes(1_000_003);
    const r = await runBytes(['sandbox', 'exec', 'execs', '--', 'cat'], env, data);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.length, data.length);
    assert.ok(r.out.equals(data), 'stdout is stdin, byte for byte');
  });

  it('exits with 128 + the signal number when a signal ends the command', async () => {
    const r = await runCli(['sandbox', 'exec', 'execs', '--', 'sh', '-c', 'kill -TERM $$'], env);
    assert.equal(r.code, 143, r.err);
  });

  it('stops the command when the reader of its output goes away (| head)', async () => {
    const cli = [process.execPath, BIN, 'sandbox', 'exec', 'execs', '--', 'yes'].map((w) => `'${w}'`).join(' ');
    const child = spawn('bash', ['-c', `set -o pipefail; ${cli} | head -n 2`], { env, timeout: 60_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(out, 'y\ny\n');
    assert.equal(code, 141, 'the CLI ends as a writer to a closed pipe does');
    let left = '';
    for (let i = 0; i < 30; i++) {
      left = (await exec(stack, id, 'ps -eo args= | grep -x yes || true')).result.trim();
      if (!left) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(left, '', 'yes was killed');
  });

  it('refuses a bad attach request with an HTTP answer before the upgrade', async () => {
    const url = `${stack.url.replace(/^http/, 'ws')}/toolbox/${id}/process/exec/attach`;
    const anonymous = await refusedUpgrade(`${url}?command=true`, {});
    assert.equal(anonymous.status, 401);
    const auth = { authorization: `Bearer ${stack.key}` };
    const none = await refusedUpgrade(url, auth);
    assert.equal(none.status, 400);
    assert.match(none.body.message, /exactly one of command and argv/);
    assert.match(none.body.hint, /\?command=<shell command line>/);
    const missing = await refusedUpgrade(
      `${stack.url.replace(/^http/, 'ws')}/toolbox/nope/process/exec/attach?command=true`,
      auth,
    );
    assert.equal(missing.status, 404);
    const badEnv = await runCli(['sandbox', 'exec', 'execs', '--env', '1X=y', '--', 'true'], env);
    assert.equal(badEnv.code, 2, badEnv.err);
    assert.match(badEnv.err, /env/);
  });

  it('forwards Ctrl-C (SIGINT) to the command, which ends', async () => {
    for (const command of ['echo ready; sleep 300; echo not-reached', 'echo ready; while :; do :; done']) {
      const r = startCli(['sandbox', 'exec', 'execs', '--', command], env);
      await waitForOutput(r, /ready/);
      const t0 = Date.now();
      r.child.kill('SIGINT');
      const end = await r.done;
      assert.equal(end.code, 130, `${command}: ${r.err}`);
      assert.ok(end.at - t0 < 10_000, `${command}: ended ${end.at - t0} ms after Ctrl-C`);
      assert.doesNotMatch(r.out, /not-reached/);
    }
    const left = await exec(stack, id, 'ps -eo args | grep -c "^sleep 300" || true');
    assert.equal(left.result.trim(), '0', 'the command was killed, not left running');
  });

  it('kills the command after --timeout', async () => {
    const r = await runCli(['sandbox', 'exec', 'execs', '--timeout', '1', '--', 'sleep 60'], env);
    assert.equal(r.code, 124);
    assert.match(r.err, /--timeout 1 s/);
  });

  it('prints the whole result with --json', async () => {
    const r = await runCli(['sandbox', 'exec', 'execs', '--json', '--', 'echo hi; exit 2'], env);
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.out).result, 'hi\n');
  });

  it('says what is wrong with a sandbox that does not exist', async () => {
    const r = await runCli(['sandbox', 'exec', 'nope', '--', 'true'], env);
    assert.equal(r.code, 4, r.err);
    assert.match(r.err, /not found/);
  });

  it('runs a command on a terminal with -t: keys, Ctrl-C, size, resize and exit code', async () => {
    const onTty = (command: string) => {
      const argv = [BIN, 'sandbox', 'exec', '-t', 'execs', '--', command];
      const term = pty.spawn(process.execPath, argv, { cols: 100, rows: 30, env });
      let out = '';
      term.onData((d) => (out += d));
      const exit = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
      const waitFor = async (re: RegExp) => {
        for (let i = 0; i < 600 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
        assert.match(out, re);
      };
      return { term, exit, waitFor, output: () => out };
    };
    const a = onTty('tty; stty size; read -r line; echo "got:$line"; stty size; exit 3');
    await a.waitFor(/\/dev\/pts\/\d+[\s\S]*30 100/);
    a.term.resize(120, 40); // this terminal's new size reaches the command's
    await new Promise((r) => setTimeout(r, 500));
    a.term.write('hello\r');
    assert.equal(await a.exit, 3, a.output());
    assert.match(a.output(), /got:hello\r*\n40 120/);

    const b = onTty('echo ready; sleep 300');
    await b.waitFor(/ready/);
    b.term.write('\x03');
    assert.equal(await b.exit, 130, b.output());
  });
});

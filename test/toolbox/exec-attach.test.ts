// Interactive commands through the orchestrator (what SSH exec and `berth
// sandbox exec` use): output streamed as it comes with stdout and stderr
// apart, argv kept exactly, stdin with end-of-file, signals, a terminal with
// resize, and the command killed when the client goes away.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecAttachRequest } from '../../common/wire/exec-attach.js';
import type { ExecAttachment, Principal } from '../../orchestrator/index.js';
import { toolboxFixture, type Toolbox } from './fixture.js';

interface Run {
  stdout: string;
  stderr: string;
  exit: { exitCode: number; signal: string | null } | null;
  /** ms from start to the first output, and to the exit */
  firstOutputMs: number;
  exitMs: number;
}

describe('toolbox: interactive commands', () => {
  let t: Toolbox;
  let admin: Principal;
  const start = (req: ExecAttachRequest) => t.stack.server.orch.toolbox.execAttach.start(admin, t.id, req);
  const collect = async (
    a: { value: ExecAttachment; end: () => void },
    feed?: (x: ExecAttachment) => void,
  ): Promise<Run> => {
    const t0 = Date.now();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let first = -1;
    a.value.onOutput((which, data) => {
      if (first < 0) first = Date.now() - t0;
      (which === 'stdout' ? out : err).push(data);
    });
    feed?.(a.value);
    const exit = await a.value.exited;
    a.end();
    return {
      stdout: Buffer.concat(out).toString(),
      stderr: Buffer.concat(err).toString(),
      exit,
      firstOutputMs: first,
      exitMs: Date.now() - t0,
    };
  };

  before(async () => {
    t = await toolboxFixture();
    admin = await t.stack.server.orch.authenticate(t.stack.key);
  });
  after(async () => {
    await t?.close();
  });

  it('keeps stdout and stderr apart and reports the exit code', async () => {
    const r = await collect(await start({ command: 'echo out; echo err >&2; exit 3' }));
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.deepEqual(r.exit, { exitCode: 3, signal: null });
  });

  it('runs an argv exactly as given, with no shell parsing', async () => {
    const r = await collect(
      await start({ argv: ['python3', '-c', 'import sys; print(6*7, sys.argv[1:])', "it's", '$HOME', 'a b'] }),
    );
    assert.equal(r.stdout, "42 [\"it's\", '$HOME', 'a b']\n");
    assert.equal(r.exit?.exitCode, 0);
  });

  it('streams output while the command runs', async () => {
    const r = await collect(await start({ command: 'for i in 1 2 3; do echo $i; sleep 0.4; done' }));
    assert.equal(r.stdout, '1\n2\n3\n');
    assert.ok(
      r.firstOutputMs >= 0 && r.firstOutputMs < r.exitMs - 600,
      `first output at ${r.firstOutputMs} ms, exit at ${r.exitMs} ms`,
    );
  });

  it('passes stdin through to end-of-file, 16 MiB intact', async () => {
    const block = Buffer.alloc(1 << 20, 'x');
    const h = createHash('sha256');
    const r = await collect(await start({ command: 'sha256sum' }), (x) => {
      for (let i = 0; i < 16; i++) {
        h.update(block);
        x.write(block);
      }
      x.endInput();
    });
    assert.equal(r.stdout.split(' ')[0], h.digest('hex'));
    assert.equal(r.exit?.exitCode, 0);
  });

  // Input and output at full speed both ways on one daemon connection: with wide HTTP/2
  // windows both ends could fill the socket at once and stop reading (REVIEW 40).
  it('echoes 32 MiB through cat while feeding it, with both directions busy', { timeout: 90_000 }, async () => {
    const block = randomBytes(1 << 20);
    const sent = createHash('sha256');
    const got = createHash('sha256');
    let bytes = 0;
    const a = await start({ command: 'cat' });
    a.value.onOutput((_w, data) => {
      got.update(data);
      bytes += data.length;
    });
    for (let i = 0; i < 32; i++) {
      sent.update(block);
      if (!a.value.write(block)) await new Promise<void>((r) => a.value.onInputDrain(r));
    }
    a.value.endInput();
    const exit = await a.value.exited;
    a.end();
    assert.equal(bytes, 32 << 20);
    assert.equal(got.digest('hex'), sent.digest('hex'));
    assert.equal(exit?.exitCode, 0);
    // The connection still serves the next command.
    assert.equal((await collect(await start({ command: 'echo next' }))).stdout, 'next\n');
  });

  it('delivers signals to the command', async () => {
    const a = await start({ command: 'sleep 30' });
    setTimeout(() => a.value.signal('INT'), 300);
    const r = await collect(a);
    assert.deepEqual(r.exit, { exitCode: 130, signal: 'SIGINT' });
  });

  it('runs on a terminal of the asked size and follows resizes', async () => {
    const a = await start({ command: 'stty size; read x; stty size; tty', pty: { cols: 100, rows: 30 } });
    let seen = '';
    a.value.onOutput((_w, d) => {
      seen += d.toString();
    });
    for (let i = 0; i < 50 && !seen.includes('30 100'); i++) await sleep(50);
    a.value.resize(120, 40);
    await sleep(100);
    a.value.write(Buffer.from('\r'));
    const exit = await a.value.exited;
    a.end();
    assert.match(seen, /30 100/);
    assert.match(seen, /40 120/);
    assert.match(seen, /\/dev\/pts\/\d+/);
    assert.equal(exit?.exitCode, 0);
  });

  it('kills the command when the client goes away', async () => {
    const a = await start({ argv: ['sleep', '313'] });
    for (let i = 0; i < 50 && a.value.pid === undefined; i++) await sleep(20);
    a.value.close();
    a.end();
    let left = '';
    for (let i = 0; i < 30; i++) {
      left = (await t.sh('ps -eo args= | grep -x "sleep 313" || true')).result.trim();
      if (!left) break;
      await sleep(100);
    }
    assert.equal(left, '');
  });

  it('refuses a key that may not run code', async () => {
    const made = await t.stack.api('POST', '/api-keys', { name: 'reader-exec', permissions: [] });
    const reader = await t.stack.server.orch.authenticate(made.body.value);
    await assert.rejects(
      t.stack.server.orch.toolbox.execAttach.start(reader, t.id, { command: 'true' }),
      (e: Error & { code?: string }) => e.code === 'forbidden',
    );
    await assert.rejects(
      start({ command: 'x', argv: ['y'] } as ExecAttachRequest),
      (e: Error & { code?: string }) => e.code === 'invalid_argument',
    );
  });
});

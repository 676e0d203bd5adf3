// Interactive commands (common/wire/exec-attach.ts): stdin streamed in, stdout
// and stderr streamed out apart (or one terminal stream with a PTY), signals
// and window sizes passed on, and the exit reported last. Output waits for a
// slow client (the command blocks on its pipe) and stdin waits for a slow
// command (HTTP/2 flow control holds the client), so nothing is buffered whole.
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { AppError } from '../../common/errors.js';
import {
  EXEC_ATTACH_HEADER,
  EXEC_ATTACH_PATH,
  ExecAttachControl,
  ExecAttachRequest,
  STDERR,
  STDOUT,
} from '../../common/wire/exec-attach.js';
import type { DaemonContext } from '../context.js';
import { DRAIN_MS, shellExitCode } from '../exit-status.js';
import { FramedStream } from '../framed-stream.js';
import { resolvePath } from '../paths.js';
import { killTree } from '../procfs.js';
import { ptyLoader } from '../pty/native.js';
import type { Call, Router } from '../router.js';
import { headerRequest } from '../header-request.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const request = (call: Call): ExecAttachRequest => headerRequest(call, EXEC_ATTACH_HEADER, ExecAttachRequest, 'exec');

/** What the conversation needs from a running command, piped or on a terminal. */
interface Running {
  pid: number;
  write(data: Buffer): void;
  endInput(): void;
  resize(cols: number, rows: number): void;
  /** Resolves with the shell-style exit code and the signal's name, once output is drained. */
  exited: Promise<{ exitCode: number; signal: string | null }>;
}

export function registerExecAttach(router: Router, ctx: DaemonContext): void {
  const loadPty = ptyLoader(ctx.bundleDir);

  router.on('POST', EXEC_ATTACH_PATH, (call) => {
    const req = request(call);
    const cwd = req.cwd ? resolvePath(ctx.paths, req.cwd, 'cwd') : ctx.paths.workdir;
    try {
      if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new AppError('invalid_argument', `working directory ${cwd} does not exist or is not a folder`, {
        reason: 'INVALID_FILE_PATH',
        hint: 'create it first or pass an existing cwd',
      });
    }
    // An argv runs as given: each argument quoted, and `exec` so signals reach the command itself.
    const line = req.argv ? `exec ${req.argv.map(quote).join(' ')}` : req.command!;
    const env = { ...ctx.env, ...req.env, ...(req.pty ? { TERM: req.pty.term ?? 'xterm-256color' } : {}) };
    const stream = new FramedStream(call.req, call.res);
    let running: Running;
    try {
      running = req.pty
        ? onTerminal(ctx, loadPty, line, cwd, env, req.pty, stream)
        : piped(ctx, line, cwd, env, stream);
    } catch (e) {
      stream.sendBinary(
        Buffer.concat([Buffer.from([STDERR]), Buffer.from(`failed to start ${ctx.shell}: ${(e as Error).message}\n`)]),
      );
      stream.sendJson({ type: 'exit', exitCode: 127, signal: null });
      stream.close(1000);
      return;
    }
    stream.sendJson({ type: 'started', pid: running.pid });
    stream.onBinary((data) => running.write(data));
    stream.onText((text) => {
      let msg: ExecAttachControl;
      try {
        msg = ExecAttachControl.parse(JSON.parse(text));
      } catch {
        return; // unknown control messages are ignored, as SSH ignores unknown requests
      }
      if (msg.type === 'eof') running.endInput();
      else if (msg.type === 'resize') running.resize(msg.cols, msg.rows);
      else {
        try {
          process.kill(-running.pid, constants.signals[`SIG${msg.signal}` as NodeJS.Signals]);
        } catch {
          /* already gone */
        }
      }
    });
    // The client hung up: the command and everything it started go with it.
    let done = false;
    stream.onGone(() => {
      if (!done) killTree(running.pid);
    });
    void running.exited.then((exit) => {
      done = true;
      stream.sendJson({ type: 'exit', ...exit });
      stream.close(1000);
    });
  });
}

function tagged(tag: number, chunk: Buffer): Buffer {
  const out = Buffer.allocUnsafe(chunk.length + 1);
  out[0] = tag;
  chunk.copy(out, 1);
  return out;
}

function piped(
  ctx: DaemonContext,
  line: string,
  cwd: string,
  env: Record<string, string>,
  stream: FramedStream,
): Running {
  const child = ctx.spawner.spawnPiped(ctx.shell, ['-c', line], { cwd, env });
  if (!child.pid) throw new Error('no process id');
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: 127, signal: null }));
  });
  const outputs = [child.stdout, child.stderr];
  // When output last moved, and whether the client is holding it back (see `exited`).
  let lastOutput = Date.now();
  let held = false;
  const pump = (out: NodeJS.ReadableStream | null, tag: number) => {
    out?.on('data', (chunk: Buffer) => {
      lastOutput = Date.now();
      stream.sendBinary(tagged(tag, chunk));
      if (stream.congested) {
        held = true;
        for (const o of outputs) o?.pause();
        stream.onDrain(() => {
          held = false;
          lastOutput = Date.now();
          for (const o of outputs) o?.resume();
        });
      }
    });
  };
  pump(child.stdout, STDOUT);
  pump(child.stderr, STDERR);
  const stdin = child.stdin!;
  stdin.on('error', () => {});
  return {
    pid: child.pid,
    write(data) {
      if (stdin.writableEnded || stdin.destroyed) return;
      if (!stdin.write(data)) {
        stream.pauseInput();
        stdin.once('drain', () => stream.resumeInput());
      }
    },
    endInput: () => stdin.end(),
    resize: () => {},
    exited: exit.then(async ({ code, signal }) => {
      // What the command wrote before it exited may still wait in the pipes, held back by a slow
      // client: it is read to the end. Only pipes that stay open with nothing moving (a background
      // child holding them) are cut, after DRAIN_MS of quiet while the client is not holding back.
      lastOutput = Date.now();
      let t: NodeJS.Timeout | undefined;
      const quiet = new Promise<void>((resolve) => {
        const check = () => {
          const idle = Date.now() - lastOutput;
          if (!held && idle >= DRAIN_MS) resolve();
          else t = setTimeout(check, held ? DRAIN_MS : DRAIN_MS - idle);
        };
        check();
      });
      await Promise.race([closed, quiet]);
      clearTimeout(t);
      child.stdout?.destroy();
      child.stderr?.destroy();
      return { exitCode: shellExitCode(code, signal), signal };
    }),
  };
}

function onTerminal(
  ctx: DaemonContext,
  load: ReturnType<typeof ptyLoader>,
  line: string,
  cwd: string,
  env: Record<string, string>,
  size: { cols: number; rows: number },
  stream: FramedStream,
): Running {
  const pty = load().spawn(ctx.shell, ['-c', line], {
    name: env.TERM,
    cols: size.cols,
    rows: size.rows,
    cwd,
    env,
    encoding: null,
  });
  // Before anything can wait: PID 1's reaper must leave this exit status to node-pty.
  ctx.spawner.own(pty.pid);
  pty.onData((d) => {
    stream.sendBinary(tagged(STDOUT, typeof d === 'string' ? Buffer.from(d, 'utf8') : (d as unknown as Buffer)));
    if (stream.congested) {
      pty.pause();
      stream.onDrain(() => pty.resume());
    }
  });
  const exited = new Promise<{ exitCode: number; signal: string | null }>((resolve) =>
    pty.onExit(({ exitCode, signal }) => {
      ctx.spawner.release(pty.pid);
      const name = signal ? (Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? null) : null;
      resolve({ exitCode: signal ? 128 + signal : exitCode, signal: name });
    }),
  );
  let inputEnded = false;
  return {
    pid: pty.pid,
    write: (data) => {
      if (!inputEnded) pty.write(data as unknown as string);
    },
    // A terminal has no end of input; ^D is what a person would type.
    endInput: () => {
      if (!inputEnded) pty.write('\x04');
      inputEnded = true;
    },
    resize: (cols, rows) => pty.resize(cols, rows),
    exited,
  };
}

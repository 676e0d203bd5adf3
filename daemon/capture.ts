// Runs one process to completion with its output captured (bounded), for
// routes that answer with a single JSON result (code-run, git). Like exec it
// runs in its own session so a timeout or a vanished caller kills the tree.
import { killTree } from './procfs.js';
import type { DaemonContext } from './context.js';
import { DRAIN_MS, shellExitCode } from './exit-status.js';

export interface CaptureOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdin?: string | Buffer;
  /** Bytes written to fd 3 of the child, which it can read (e.g. credentials). */
  fd3In?: string;
  /** Collect what the child writes to fd 3 (e.g. artifacts). */
  fd3Out?: boolean;
  timeoutMs?: number;
  maxOutputBytes: number;
  /** Killed with its tree when this emits 'close' (the caller went away). */
  abortOn?: NodeJS.EventEmitter;
}

export interface Captured {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr in arrival order. */
  output: string;
  fd3: Buffer;
  timedOut: boolean;
  truncated: boolean;
  spawnError?: string;
  durationMs: number;
}

export async function capture(ctx: DaemonContext, o: CaptureOptions): Promise<Captured> {
  const started = Date.now();
  let child;
  try {
    child = ctx.spawner.spawnPiped(o.command, o.args, {
      cwd: o.cwd,
      env: o.env,
      fd3: o.fd3In !== undefined || o.fd3Out === true,
    });
  } catch (e) {
    return {
      exitCode: -1,
      signal: null,
      stdout: '',
      stderr: '',
      output: '',
      fd3: Buffer.alloc(0),
      timedOut: false,
      truncated: false,
      spawnError: (e as Error).message,
      durationMs: 0,
    };
  }
  let spawnError: string | undefined;
  child.on('error', (e) => (spawnError = e.message));
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  const fd3: Buffer[] = [];
  let used = 0;
  let truncated = false;
  const take = (sink: Buffer[]) => (c: Buffer) => {
    if (used >= o.maxOutputBytes) {
      truncated = true;
      return;
    }
    const slice = used + c.length > o.maxOutputBytes ? c.subarray(0, o.maxOutputBytes - used) : c;
    if (slice.length < c.length) truncated = true;
    used += slice.length;
    sink.push(slice);
    all.push(slice);
  };
  child.stdout?.on('data', take(out));
  child.stderr?.on('data', take(err));
  const pipe3 = child.stdio[3] as (NodeJS.ReadWriteStream & { destroy(): void }) | undefined;
  pipe3?.on('error', () => {});
  if (o.fd3In !== undefined) pipe3?.end(o.fd3In);
  let fd3Size = 0;
  if (o.fd3Out) {
    pipe3?.on('data', (c: Buffer) => {
      fd3Size += c.length;
      if (fd3Size <= 4 * o.maxOutputBytes) fd3.push(c);
    });
  }
  child.stdin?.on('error', () => {});
  child.stdin?.end(o.stdin ?? '');

  const pid = child.pid;
  let timedOut = false;
  const timer =
    o.timeoutMs && o.timeoutMs > 0 && pid
      ? setTimeout(() => {
          timedOut = true;
          killTree(pid);
        }, o.timeoutMs)
      : undefined;
  const onAbort = () => pid && killTree(pid);
  o.abortOn?.once('close', onAbort);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  let drain: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((r) => (drain = setTimeout(r, DRAIN_MS)))]);
  clearTimeout(drain);
  clearTimeout(timer);
  o.abortOn?.off('close', onAbort);
  child.stdout?.destroy();
  child.stderr?.destroy();
  pipe3?.destroy();
  return {
    exitCode: spawnError ? -1 : shellExitCode(exit.code, exit.signal),
    signal: exit.signal,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    output: Buffer.concat(all).toString('utf8'),
    fd3: Buffer.concat(fd3),
    timedOut,
    truncated,
    spawnError,
    durationMs: Date.now() - started,
  };
}

// One interpreter context: a persistent Python process (driver.ts) whose
// globals survive between runs, and a FIFO of runs. A run ends when its
// outcome arrived and its marker was seen on stdout and stderr, so no output
// is lost or handed to the next run.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../common/errors.js';
import type { InterpreterContext } from '../../common/wire/interpreter.js';
import type { DaemonContext } from '../context.js';
import { killTree } from '../procfs.js';
import { DRIVER } from './driver.js';
import { MarkerScanner } from './marker.js';

/** After an interrupt, how long Python gets to unwind before the process is killed. */
const INTERRUPT_GRACE_MS = 3000;

export interface RunError {
  name: string;
  value: string;
  traceback: string;
}

export interface RunSink {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The run is over: normally, with a Python exception, or because the process died. */
  finished(error: RunError | null): void;
  /** The run exceeded its timeout (it is being interrupted; `finished` will not follow). */
  timedOut(seconds: number): void;
}

interface Done {
  error: RunError | null;
  interrupted: boolean;
}

interface Run {
  code: string;
  envs: Record<string, string>;
  timeoutSec: number;
  sink: RunSink;
  marker: string;
  out: { stdout: MarkerScanner; stderr: MarkerScanner };
  text: { stdout: StringDecoder; stderr: StringDecoder };
  done?: Done;
  /** The client left or the run timed out: nothing more is reported. */
  silenced: boolean;
  timer?: NodeJS.Timeout;
  killTimer?: NodeJS.Timeout;
}

export class PythonContext {
  readonly id: string;
  readonly createdAt = new Date();
  private child: ChildProcess | null = null;
  private readonly queue: Run[] = [];
  private current: Run | null = null;
  private closed = false;

  constructor(
    private readonly ctx: DaemonContext,
    readonly cwd: string,
    id?: string,
  ) {
    this.id = id ?? randomUUID();
  }

  get active(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  info(): InterpreterContext {
    return {
      id: this.id,
      cwd: this.cwd,
      createdAt: this.createdAt.toISOString(),
      active: this.active,
      language: 'python',
    };
  }

  /** Starts the Python process if it is not running; rejects when Python cannot start. */
  async start(): Promise<void> {
    if (this.active) return;
    const env: Record<string, string> = { ...this.ctx.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' };
    // No display in a sandbox: plots render off-screen instead of failing.
    env.MPLBACKEND ??= 'Agg';
    const child = this.ctx.spawner.spawn('python3', ['-u', '-c', DRIVER], {
      cwd: this.cwd,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdin!.on('error', () => {});
    child.stdout!.on('data', (d: Buffer) => this.output('stdout', d));
    child.stderr!.on('data', (d: Buffer) => this.output('stderr', d));
    let pending = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      pending += d.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) this.event(line);
      }
    });
    child.once('exit', (code, signal) => this.exited(child, code, signal));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (this.child === child) this.child = null;
        reject(
          e.code === 'ENOENT'
            ? new AppError('failed_precondition', 'python3 is not installed in this sandbox', {
                reason: 'INTERPRETER_UNAVAILABLE',
                hint: 'use an image with python3 (the default berth/sandbox-base has it)',
              })
            : new AppError('internal', `cannot start python3: ${e.message}`, { reason: 'INTERPRETER_UNAVAILABLE' }),
        );
      });
    });
  }

  /** Queues a run; the returned function cancels it (interrupting it if it already runs). */
  enqueue(req: { code: string; envs?: Record<string, string>; timeoutSec: number }, sink: RunSink): () => void {
    if (this.closed) {
      sink.finished({ name: 'ContextDeleted', value: `context ${this.id} was deleted`, traceback: '' });
      return () => {};
    }
    const marker = `\u0000berth-end-${randomBytes(12).toString('hex')}\u0000`;
    const run: Run = {
      code: req.code,
      envs: req.envs ?? {},
      timeoutSec: req.timeoutSec,
      sink,
      marker,
      out: { stdout: new MarkerScanner(Buffer.from(marker)), stderr: new MarkerScanner(Buffer.from(marker)) },
      text: { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') },
      silenced: false,
    };
    this.queue.push(run);
    void this.next();
    return () => {
      if (run.silenced) return;
      run.silenced = true;
      const i = this.queue.indexOf(run);
      if (i >= 0) this.queue.splice(i, 1);
      else if (this.current === run) this.interrupt(run);
    };
  }

  /** Kills the process; queued and running runs end with an error. */
  close(): void {
    this.closed = true;
    for (const run of this.queue.splice(0))
      if (!run.silenced)
        run.sink.finished({ name: 'ContextDeleted', value: `context ${this.id} was deleted`, traceback: '' });
    if (this.child?.pid) killTree(this.child.pid, 'SIGKILL');
  }

  private async next(): Promise<void> {
    if (this.current || !this.queue.length) return;
    const run = this.queue.shift()!;
    this.current = run;
    if (!this.active) {
      try {
        await this.start();
      } catch (e) {
        this.end(run, { name: 'InterpreterUnavailable', value: (e as Error).message, traceback: '' });
        return;
      }
    }
    this.child!.stdin!.write(JSON.stringify({ code: run.code, envs: run.envs, marker: run.marker }) + '\n');
    if (run.timeoutSec > 0) {
      run.timer = setTimeout(() => {
        if (this.current !== run) return;
        if (!run.silenced) run.sink.timedOut(run.timeoutSec);
        run.silenced = true;
        this.interrupt(run);
      }, run.timeoutSec * 1000);
    }
  }

  /** Ctrl+C for the whole process group; the process is killed if Python does not unwind in time. */
  private interrupt(run: Run): void {
    const pid = this.child?.pid;
    if (!pid || run.killTimer) return;
    try {
      process.kill(-pid, 'SIGINT');
    } catch {
      /* already gone */
    }
    run.killTimer = setTimeout(() => {
      if (this.current === run && this.child?.pid === pid) killTree(pid, 'SIGKILL');
    }, INTERRUPT_GRACE_MS);
  }

  private output(kind: 'stdout' | 'stderr', data: Buffer): void {
    const run = this.current;
    if (!run) return; // between runs (a background thread): nobody to give it to
    const bytes = run.out[kind].push(data);
    const text = bytes.length ? run.text[kind].write(bytes) : '';
    const tail = run.out[kind].done ? run.text[kind].end() : '';
    if ((text || tail) && !run.silenced) run.sink[kind](text + tail);
    this.settle(run);
  }

  private event(line: string): void {
    const run = this.current;
    if (!run) return;
    try {
      const ev = JSON.parse(line) as { type?: string; error?: RunError | null; interrupted?: boolean };
      if (ev.type === 'done') run.done = { error: ev.error ?? null, interrupted: !!ev.interrupted };
    } catch {
      return;
    }
    this.settle(run);
  }

  private settle(run: Run): void {
    if (run.done && run.out.stdout.done && run.out.stderr.done) this.end(run, run.done.error);
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = null;
    const run = this.current;
    if (!run) return;
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    this.end(run, {
      name: 'InterpreterExited',
      value: `the Python process ${how}; the context's variables are gone`,
      traceback: '',
    });
  }

  private end(run: Run, error: RunError | null): void {
    if (this.current !== run) return;
    clearTimeout(run.timer);
    clearTimeout(run.killTimer);
    this.current = null;
    if (!run.silenced) {
      run.silenced = true;
      run.sink.finished(error);
    }
    void this.next();
  }
}

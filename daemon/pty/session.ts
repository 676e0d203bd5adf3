// One terminal: a shell on a real PTY, any number of attached clients (all
// get every byte of output), and the exit reported to each of them (§6.5).
import type { IPty } from 'node-pty';
import { ptyExit, type PtyExit, type PtySessionInfo } from '../../common/wire/pty.js';
import type { FramedStream } from '../framed-stream.js';
import { killTree } from '../procfs.js';
import type { Spawner } from '../spawner.js';
import type { PtyModule } from './native.js';

/** Output kept while no client is attached, replayed to the next one. */
const PENDING_LIMIT = 1 << 20;

export interface PtyClient {
  stream: FramedStream;
  /** The client offered X-Daytona-Pty-Exit-Control: send the `exited` control message. */
  exitControl: boolean;
}

export interface PtySpawnSpec {
  id: string;
  shell: string;
  cwd: string;
  /** Caller's variables (reported back by info). */
  envs: Record<string, string>;
  /** Full environment of the shell. */
  env: Record<string, string>;
  cols: number;
  rows: number;
  lazyStart: boolean;
  /** A command line to run instead of an interactive shell. */
  command?: string;
}

export class PtySession {
  private pty: IPty | null = null;
  private readonly clients = new Set<PtyClient>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private paused = false;
  private exit: PtyExit | null = null;
  private readonly exitWaiters: (() => void)[] = [];
  readonly createdAt = new Date();
  cols: number;
  rows: number;

  constructor(
    private readonly spec: PtySpawnSpec,
    private readonly load: () => PtyModule,
    private readonly spawner: Spawner,
    private readonly onExit: (s: PtySession) => void,
  ) {
    this.cols = spec.cols;
    this.rows = spec.rows;
  }

  get id(): string {
    return this.spec.id;
  }

  get active(): boolean {
    return this.pty !== null && this.exit === null;
  }

  info(): PtySessionInfo {
    return {
      id: this.spec.id,
      cwd: this.spec.cwd,
      envs: this.spec.envs,
      cols: this.cols,
      rows: this.rows,
      createdAt: this.createdAt.toISOString(),
      active: this.active,
      lazyStart: this.spec.lazyStart,
    };
  }

  /** Starts the shell (idempotent). Throws if node-pty is missing or the shell cannot start. */
  start(): void {
    if (this.pty || this.exit) return;
    const pty = this.load().spawn(this.spec.shell, this.spec.command === undefined ? [] : ['-c', this.spec.command], {
      name: this.spec.env.TERM,
      cols: this.cols,
      rows: this.rows,
      cwd: this.spec.cwd,
      env: this.spec.env,
      // Bytes, not strings: output is relayed as binary frames, never re-encoded.
      encoding: null,
    });
    this.pty = pty;
    // Register before anything can wait: PID 1's reaper must leave this exit status to node-pty.
    this.spawner.own(pty.pid);
    pty.onData((d) => this.output(typeof d === 'string' ? Buffer.from(d, 'utf8') : (d as unknown as Buffer)));
    pty.onExit(({ exitCode, signal }) => {
      this.spawner.release(pty.pid);
      this.finish(ptyExit(exitCode, signal));
    });
  }

  /** Attaches a client; call `start` first so a failing shell is an error, not an exit. */
  attach(client: PtyClient): void {
    if (this.exit) {
      this.sendExit(client, this.exit);
      return;
    }
    this.clients.add(client);
    client.stream.sendJson({ type: 'control', status: 'connected' });
    if (this.pending.length) {
      for (const chunk of this.pending) client.stream.sendBinary(chunk);
      this.pending = [];
      this.pendingBytes = 0;
    }
    client.stream.onBinary((data) => this.write(data));
    client.stream.onText((text) => this.write(Buffer.from(text, 'utf8')));
    client.stream.onGone(() => {
      this.clients.delete(client);
      this.flow();
    });
  }

  write(data: Buffer): void {
    if (this.active) this.pty!.write(data);
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    if (this.active) this.pty!.resize(cols, rows);
  }

  /** Kills the shell and everything it started; resolves once the exit is reported (or after 3 s). */
  async kill(): Promise<void> {
    if (!this.pty) {
      this.finish({ exitCode: 137, exitReason: 'SIGKILL' });
      return;
    }
    if (this.exit) return;
    const done = new Promise<void>((resolve) => {
      this.exitWaiters.push(resolve);
      setTimeout(resolve, 3000).unref();
    });
    killTree(this.pty.pid, 'SIGKILL');
    await done;
  }

  private output(chunk: Buffer): void {
    if (this.clients.size === 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      while (this.pendingBytes > PENDING_LIMIT && this.pending.length > 1)
        this.pendingBytes -= this.pending.shift()!.length;
      return;
    }
    for (const c of this.clients) c.stream.sendBinary(chunk);
    this.flow();
  }

  /** The slowest attached client paces the shell, as in any terminal multiplexer. */
  private flow(): void {
    if (!this.pty || this.exit) return;
    const congested = [...this.clients].find((c) => c.stream.congested);
    if (congested && !this.paused) {
      this.paused = true;
      this.pty.pause();
      congested.stream.onDrain(() => this.flow());
    } else if (!congested && this.paused) {
      this.paused = false;
      this.pty.resume();
    }
  }

  private finish(exit: PtyExit): void {
    if (this.exit) return;
    this.exit = exit;
    for (const c of this.clients) this.sendExit(c, exit);
    this.clients.clear();
    this.pending = [];
    for (const w of this.exitWaiters.splice(0)) w();
    this.onExit(this);
  }

  private sendExit(c: PtyClient, exit: PtyExit): void {
    if (c.exitControl) c.stream.sendJson({ type: 'control', status: 'exited', ...exit });
    c.stream.close(exit.exitCode === 0 ? 1000 : 1011, JSON.stringify(exit));
  }
}

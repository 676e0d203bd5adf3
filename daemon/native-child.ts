// A child started by the native posix_spawn helper, shaped like the part of
// Node's ChildProcess that callers use (pid, three pipes, 'exit', 'close',
// kill). libuv does not know these pids, so their exits are collected here on
// SIGCHLD with a non-blocking waitpid per pid.
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Native } from './native.js';

/** What exec-like callers need from a child, met by Node's ChildProcess and by NativeChild. */
export interface PipedChild extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** stdin, stdout, stderr, and fd 3 when asked for. */
  readonly stdio: ReadonlyArray<Readable | Writable | Duplex | null | undefined>;
  kill(signal?: NodeJS.Signals | number): boolean;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

export class NativeChild extends EventEmitter implements PipedChild {
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly stderr: Socket;
  readonly stdio: ReadonlyArray<Socket>;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private open: number;
  private exited = false;

  constructor(
    readonly pid: number,
    fds: { stdin: number; stdout: number; stderr: number; fd3: number },
  ) {
    super();
    this.stdin = new Socket({ fd: fds.stdin, readable: false, writable: true });
    this.stdout = new Socket({ fd: fds.stdout, readable: true, writable: false });
    this.stderr = new Socket({ fd: fds.stderr, readable: true, writable: false });
    const fd3 = fds.fd3 >= 0 ? [new Socket({ fd: fds.fd3, readable: true, writable: true })] : [];
    this.stdio = [this.stdin, this.stdout, this.stderr, ...fd3];
    // Like Node's 'close': after the exit and once every stream the child writes to has closed.
    const readable = [this.stdout, this.stderr, ...fd3];
    this.open = readable.length;
    for (const s of readable) s.once('close', () => this.streamClosed());
  }

  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.exited) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Called by the watch once waitpid has collected it. */
  exit(code: number | null, signal: number | null): void {
    this.exited = true;
    this.exitCode = code;
    this.signalCode = signal === null ? null : (SIGNAL_NAMES.get(signal) ?? null);
    this.emit('exit', this.exitCode, this.signalCode);
    this.maybeClose();
  }

  private streamClosed(): void {
    this.open--;
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.exited && this.open === 0) this.emit('close', this.exitCode, this.signalCode);
  }
}

/** Spawns through the addon and collects exits on SIGCHLD. */
export class NativeSpawn {
  private readonly running = new Map<number, NativeChild>();
  private readonly onSigchld = () => this.collect();
  /**
   * Set while children run: keeps the event loop alive as libuv's process
   * handles do for Node's own children (signal handlers do not), and looks
   * again now and then in case a SIGCHLD was merged with another.
   */
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(private readonly native: Native) {}

  /** Throws like Node's spawn would (err.code ENOENT, EACCES…) when the command cannot start. */
  spawn(
    command: string,
    args: string[],
    cwd: string,
    env: Record<string, string>,
    withFd3 = false,
    argv0 = command,
  ): NativeChild {
    // Listen before the child exists so its SIGCHLD cannot come first.
    if (!this.keepAlive) {
      process.on('SIGCHLD', this.onSigchld);
      this.keepAlive = setInterval(this.onSigchld, 1000);
    }
    const envp = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    // C strings end at NUL: refuse as Node's spawn does rather than run a cut-short command.
    if ([command, argv0, cwd, ...args, ...envp].some((x) => x.includes('\0'))) {
      throw Object.assign(new TypeError('command, arguments, environment and cwd must not contain NUL bytes'), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    const [pid, stdin, stdout, stderr, fd3] = this.native.spawnPiped(command, [argv0, ...args], envp, cwd, withFd3);
    const child = new NativeChild(pid, { stdin, stdout, stderr, fd3 });
    this.running.set(pid, child);
    return child;
  }

  private collect(): void {
    for (const [pid, child] of this.running) {
      const status = this.native.waitPid(pid);
      if (!status) continue;
      this.running.delete(pid);
      child.exit(status[0], status[1]);
    }
    if (this.running.size === 0 && this.keepAlive) {
      process.off('SIGCHLD', this.onSigchld);
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }
}

// A session: one long-lived shell. Commands are queued and run one at a time
// inside it (via `eval`), so `cd`, `export`, functions and aliases persist.
// After each command the shell prints an end marker with the exit code on
// stdout and one on stderr; a command is finished once both were seen, so
// its output is complete. Async commands read stdin from a pipe the daemon
// keeps (fd 3 of the shell); sync ones read /dev/null.
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors.js';
import type { SessionCommandInfo, SessionInfo } from '../../common/wire/toolbox.js';
import type { DaemonContext } from '../context.js';
import { killTree, processTree } from '../procfs.js';
import { MarkerScanner } from './markers.js';
import { OutputLog, type StreamId } from './output-log.js';
import { startTicks } from './proc-start.js';

const MAX_COMMANDS = 1000;
const DRAIN_MS = 100;
/** How long a kill waits for the command to end before it takes the shell down too. */
const KILL_GRACE_MS = 1500;

export interface SessionCommand {
  id: string;
  command: string;
  async: boolean;
  echo: boolean;
  seq: number;
  state: SessionCommandInfo['state'];
  exitCode?: number;
  log: OutputLog;
  startedAt?: Date;
  endedAt?: Date;
  /** The shell's processes when the command started (pid → start ticks): earlier commands' work, never the command's. */
  before?: Map<number, number | null>;
  outDone: boolean;
  errDone: boolean;
  done: Promise<void>;
  finish: () => void;
}

export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The line the shell reads for one command. */
export function commandFrame(nonce: string, seq: number, command: string, async: boolean): string {
  const stdin = async ? '<&3' : '</dev/null';
  return `eval ${shellQuote(command)} ${stdin} 3<&-; printf '\\036%s:%s:%s\\036' '${nonce}' ${seq} "$?"; printf '\\036%s:%s\\036' '${nonce}' ${seq} >&2\n`;
}

export class ShellSession {
  readonly createdAt = new Date();
  private readonly nonce = randomBytes(12).toString('hex');
  private readonly commands = new Map<string, SessionCommand>();
  private readonly queue: SessionCommand[] = [];
  private current: SessionCommand | null = null;
  private last: SessionCommand | null = null;
  private seq = 0;
  private shell: ChildProcess | null = null;
  ended = false;

  constructor(
    readonly id: string,
    private readonly ctx: DaemonContext,
  ) {}

  start(): void {
    const child = this.ctx.spawner.spawn(this.ctx.shell, ['-s'], {
      cwd: this.ctx.paths.workdir,
      env: { ...this.ctx.env },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.shell = child;
    const scanners: Record<StreamId, MarkerScanner> = {
      1: new MarkerScanner(this.nonce),
      2: new MarkerScanner(this.nonce),
    };
    const pump = (stream: StreamId, src: NodeJS.ReadableStream | null) => {
      src?.on('data', (chunk: Buffer) => {
        for (const ev of scanners[stream].feed(chunk)) {
          if (ev.type === 'data') (this.current ?? this.last)?.log.append(stream, ev.data);
          else this.onMarker(stream, ev.payload);
        }
      });
    };
    pump(1, child.stdout);
    pump(2, child.stderr);
    child.stdin?.on('error', () => {});
    (child.stdio[3] as NodeJS.WritableStream | undefined)?.on('error', () => {});
    child.once('error', () => this.onShellExit(-1));
    child.once('exit', (code, signal) => {
      const closed = new Promise<void>((r) => child.once('close', () => r()));
      const drained = new Promise<void>((r) => setTimeout(r, DRAIN_MS));
      void Promise.race([closed, drained]).then(() => {
        for (const s of [1, 2] as const) {
          const rest = scanners[s].flush();
          if (rest.length) (this.current ?? this.last)?.log.append(s, rest);
        }
        this.onShellExit(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : -1));
      });
    });
  }

  exec(command: string, opts: { async: boolean; echo: boolean }): SessionCommand {
    if (this.ended) {
      throw new AppError('gone', `session ${this.id} has ended (its shell exited)`, {
        reason: 'SESSION_ENDED',
        hint: 'delete it and create a new session',
      });
    }
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const cmd: SessionCommand = {
      id: randomUUID(),
      command,
      async: opts.async,
      echo: opts.echo,
      seq: ++this.seq,
      state: 'queued',
      log: new OutputLog(this.ctx.maxOutputBytes),
      outDone: false,
      errDone: false,
      done,
      finish,
    };
    this.commands.set(cmd.id, cmd);
    this.forgetOld();
    this.queue.push(cmd);
    this.next();
    return cmd;
  }

  get(cmdId: string): SessionCommand {
    const c = this.commands.get(cmdId);
    if (!c) {
      throw new AppError('not_found', `command ${cmdId} not found in session ${this.id}`, {
        reason: 'PROCESS_NOT_FOUND',
        hint: 'list the session to see its command ids',
      });
    }
    return c;
  }

  /** Writes to the stdin of the running async command; `eof` closes it afterwards (for the rest of the session). */
  input(cmd: SessionCommand, data: Buffer, eof = false): void {
    if (cmd.state === 'exited') {
      throw new AppError('gone', `command ${cmd.id} has already exited (code ${cmd.exitCode})`, {
        reason: 'COMMAND_ALREADY_COMPLETED',
        hint: 'run a new command',
      });
    }
    if (cmd !== this.current) {
      throw new AppError(
        'failed_precondition',
        `command ${cmd.id} is still queued behind another command in session ${this.id}`,
        { reason: 'CONFLICT', hint: 'wait until it starts, or use a separate session per background process' },
      );
    }
    if (!cmd.async) {
      throw new AppError('failed_precondition', `command ${cmd.id} was run synchronously and reads no input`, {
        reason: 'CONFLICT',
        hint: 'run it with runAsync: true to send it input',
      });
    }
    const pipe = this.shell?.stdio[3] as NodeJS.WritableStream | undefined;
    if (!pipe) throw new AppError('gone', `session ${this.id} has ended`, { reason: 'SESSION_ENDED' });
    if ((pipe as { writableEnded?: boolean }).writableEnded) {
      throw new AppError('failed_precondition', `the input of session ${this.id} was closed (eof)`, {
        reason: 'CONFLICT',
        hint: 'run commands that need input in a new session',
      });
    }
    if (data.length) pipe.write(data);
    if (eof) pipe.end();
    if (cmd.echo && data.length) cmd.log.append(1, data);
  }

  /** Kills what the command started (not what earlier commands left running). */
  async kill(cmd: SessionCommand, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (cmd.state === 'exited') {
      throw new AppError('gone', `command ${cmd.id} has already exited (code ${cmd.exitCode})`, {
        reason: 'COMMAND_ALREADY_COMPLETED',
      });
    }
    if (cmd.state === 'queued') {
      this.queue.splice(this.queue.indexOf(cmd), 1);
      this.complete(cmd, 128 + 9);
      return;
    }
    const shellPid = this.shell?.pid;
    if (!shellPid) return;
    for (const pid of processTree(shellPid)) {
      if (pid === shellPid) continue;
      // Start ticks tell a reused pid apart; clock ticks alone cannot order processes started 10 ms apart.
      if (cmd.before?.has(pid) && cmd.before.get(pid) === startTicks(pid)) continue;
      try {
        process.kill(pid, signal);
      } catch {
        /* gone */
      }
    }
    const ended = await Promise.race([
      cmd.done.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), KILL_GRACE_MS)),
    ]);
    // A loop of shell builtins runs in the shell itself: only killing the shell stops it.
    if (!ended && signal === 'SIGKILL') {
      killTree(shellPid);
      await cmd.done;
    }
  }

  destroy(): void {
    if (this.shell?.pid) killTree(this.shell.pid);
    this.onShellExit(128 + 9);
  }

  info(): SessionInfo {
    return {
      sessionId: this.id,
      createdAt: this.createdAt.toISOString(),
      ...(this.ended ? { ended: true } : {}),
      commands: [...this.commands.values()].map(commandInfo),
    };
  }

  private next(): void {
    if (this.current || this.ended || !this.shell?.stdin) return;
    const cmd = this.queue.shift();
    if (!cmd) return;
    this.current = cmd;
    cmd.state = 'running';
    cmd.startedAt = new Date();
    cmd.before = this.shell.pid ? new Map(processTree(this.shell.pid).map((pid) => [pid, startTicks(pid)])) : undefined;
    this.shell.stdin.write(commandFrame(this.nonce, cmd.seq, cmd.command, cmd.async));
  }

  private onMarker(stream: StreamId, payload: string): void {
    const [seqS, codeS] = payload.split(':');
    const cmd = this.current;
    if (!cmd || Number(seqS) !== cmd.seq) return; // a stale or forged marker
    if (stream === 1) {
      cmd.outDone = true;
      cmd.exitCode = Number(codeS);
    } else cmd.errDone = true;
    if (cmd.outDone && cmd.errDone) {
      this.complete(cmd, cmd.exitCode ?? -1);
      this.next();
    }
  }

  private complete(cmd: SessionCommand, code: number): void {
    if (cmd.state === 'exited') return;
    cmd.state = 'exited';
    cmd.exitCode = code;
    cmd.endedAt = new Date();
    cmd.log.close();
    if (this.current === cmd) this.current = null;
    this.last = cmd;
    cmd.finish();
  }

  private onShellExit(code: number): void {
    if (this.ended) return;
    this.ended = true;
    if (this.current) this.complete(this.current, code);
    for (const q of this.queue.splice(0)) {
      q.log.append(2, `berth: session ${this.id} ended before this command started\n`);
      this.complete(q, -1);
    }
  }

  /** Old finished commands are forgotten so a long-lived session stays bounded. */
  private forgetOld(): void {
    if (this.commands.size <= MAX_COMMANDS) return;
    for (const [id, c] of this.commands) {
      if (this.commands.size <= MAX_COMMANDS) break;
      if (c.state === 'exited') this.commands.delete(id);
    }
  }
}

export function commandInfo(c: SessionCommand): SessionCommandInfo {
  return {
    id: c.id,
    command: c.command,
    state: c.state,
    ...(c.exitCode !== undefined && c.state === 'exited' ? { exitCode: c.exitCode } : {}),
    ...(c.startedAt ? { startedAt: c.startedAt.toISOString() } : {}),
    ...(c.endedAt ? { endedAt: c.endedAt.toISOString() } : {}),
  };
}

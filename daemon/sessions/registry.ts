// The sandbox's sessions by id, plus the read-only `entrypoint` session that
// shows the image's own entrypoint as its one command.
import { AppError } from '../../common/errors.js';
import { ENTRYPOINT_SESSION, type SessionCommandInfo, type SessionInfo } from '../../common/wire/toolbox.js';
import type { DaemonContext } from '../context.js';
import type { EntrypointState } from '../entrypoint.js';
import { OutputLog } from './output-log.js';
import { ShellSession } from './shell-session.js';

const MAX_SESSIONS = 128;
export const ENTRYPOINT_COMMAND_ID = 'entrypoint';

/** What the log routes need from a command, session or entrypoint alike. */
export interface LogSource {
  log: OutputLog;
  running: () => boolean;
  exitCode: () => number | undefined;
}

const noSession = (id: string) =>
  new AppError('not_found', `session ${id} not found`, {
    reason: 'NOT_FOUND',
    hint: 'create it first with POST /process/session, or list the sessions',
  });

export class SessionRegistry {
  private readonly sessions = new Map<string, ShellSession>();
  private readonly emptyLog = new OutputLog(0);

  constructor(
    private readonly ctx: DaemonContext,
    private readonly entrypoint: EntrypointState | null,
  ) {
    this.emptyLog.close();
  }

  create(id: string): ShellSession {
    if (id === ENTRYPOINT_SESSION)
      throw new AppError('conflict', `session id ${id} is reserved for the image entrypoint`, {
        reason: 'CONFLICT',
        hint: 'pick another session id',
      });
    if (this.sessions.has(id))
      throw new AppError('conflict', `session ${id} already exists`, {
        reason: 'CONFLICT',
        hint: 'reuse it, or delete it first',
      });
    if (this.sessions.size >= MAX_SESSIONS) {
      throw new AppError('quota_exceeded', `a sandbox holds at most ${MAX_SESSIONS} sessions`, {
        reason: 'CONFLICT',
        hint: 'delete sessions you no longer need',
      });
    }
    const s = new ShellSession(id, this.ctx);
    s.start();
    this.sessions.set(id, s);
    return s;
  }

  get(id: string): ShellSession {
    const s = this.sessions.get(id);
    if (!s) throw noSession(id);
    return s;
  }

  delete(id: string): void {
    if (id === ENTRYPOINT_SESSION)
      throw new AppError('invalid_argument', 'the entrypoint session cannot be deleted', {
        reason: 'BAD_REQUEST',
        hint: 'stop the sandbox to stop its entrypoint',
      });
    this.get(id).destroy();
    this.sessions.delete(id);
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  info(id: string): SessionInfo {
    return id === ENTRYPOINT_SESSION ? this.entrypointInfo() : this.get(id).info();
  }

  /** The log of a command (or of the entrypoint session's only command). */
  source(sessionId: string, cmdId: string | null): LogSource {
    if (sessionId === ENTRYPOINT_SESSION) {
      if (cmdId !== null && cmdId !== ENTRYPOINT_COMMAND_ID)
        throw new AppError('not_found', `command ${cmdId} not found in the entrypoint session`, {
          reason: 'PROCESS_NOT_FOUND',
        });
      const e = this.entrypoint;
      if (!e) return { log: this.emptyLog, running: () => false, exitCode: () => undefined };
      return { log: e.log, running: () => e.exitCode === undefined, exitCode: () => e.exitCode ?? undefined };
    }
    const cmd = this.get(sessionId).get(cmdId ?? '');
    return {
      log: cmd.log,
      running: () => cmd.state !== 'exited',
      exitCode: () => (cmd.state === 'exited' ? cmd.exitCode : undefined),
    };
  }

  destroyAll(): void {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }

  private entrypointInfo(): SessionInfo {
    const e = this.entrypoint;
    const commands: SessionCommandInfo[] = e
      ? [
          {
            id: ENTRYPOINT_COMMAND_ID,
            command: e.command.join(' '),
            state: e.exitCode === undefined ? 'running' : 'exited',
            ...(e.exitCode !== undefined && e.exitCode !== null ? { exitCode: e.exitCode } : {}),
            startedAt: e.startedAt.toISOString(),
          },
        ]
      : [];
    return {
      sessionId: ENTRYPOINT_SESSION,
      createdAt: (e?.startedAt ?? new Date(this.ctx.startedAt)).toISOString(),
      commands,
    };
  }
}

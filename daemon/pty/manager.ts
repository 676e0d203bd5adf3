// The sandbox's terminals by id. A session leaves the table when its shell
// exits, so the id can be reused at once.
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { AppError } from '../../common/errors.js';
import type { PtyCreateRequest, PtySessionInfo } from '../../common/wire/pty.js';
import type { DaemonContext } from '../context.js';
import { resolvePath } from '../paths.js';
import { ptyLoader } from './native.js';
import { PtySession } from './session.js';

const MAX_SESSIONS = 64;

export class PtyManager {
  private readonly sessions = new Map<string, PtySession>();
  private readonly load: ReturnType<typeof ptyLoader>;

  constructor(private readonly ctx: DaemonContext) {
    this.load = ptyLoader(ctx.bundleDir);
  }

  list(): PtySessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  get(id: string): PtySession {
    const s = this.sessions.get(id);
    if (!s)
      throw new AppError('not_found', `PTY session ${id} not found`, {
        reason: 'PTY_SESSION_NOT_FOUND',
        hint: 'list sessions with GET /process/pty, or create one',
      });
    return s;
  }

  /** Creates (and unless lazy, starts) a session. 409 when the id is taken. */
  create(req: PtyCreateRequest): PtySession {
    const id = req.id ?? randomUUID();
    if (this.sessions.has(id)) {
      throw new AppError('conflict', `PTY session ${id} already exists`, {
        reason: 'PTY_SESSION_EXISTS',
        hint: 'connect to it, kill it first, or pick another id',
      });
    }
    if (this.sessions.size >= MAX_SESSIONS) {
      throw new AppError('failed_precondition', `this sandbox already has ${MAX_SESSIONS} terminals`, {
        reason: 'PTY_LIMIT',
        hint: 'kill terminals you no longer use',
      });
    }
    const cwd = req.cwd ? resolvePath(this.ctx.paths, req.cwd, 'cwd') : this.ctx.paths.workdir;
    try {
      if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new AppError('invalid_argument', `working directory ${cwd} does not exist or is not a folder`, {
        reason: 'INVALID_FILE_PATH',
        hint: 'create it first or pass an existing cwd',
      });
    }
    const envs = req.envs ?? {};
    const env: Record<string, string> = { ...this.ctx.env, ...envs };
    env.TERM = envs.TERM || this.ctx.env.TERM || 'xterm-256color';
    const session = new PtySession(
      {
        id,
        shell: this.ctx.shell,
        cwd,
        envs,
        env,
        cols: req.cols ?? 80,
        rows: req.rows ?? 24,
        lazyStart: req.lazyStart ?? false,
        command: req.command,
      },
      this.load,
      this.ctx.spawner,
      (s) => {
        if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
      },
    );
    if (!session.info().lazyStart) this.startOrThrow(session);
    this.sessions.set(id, session);
    return session;
  }

  startOrThrow(session: PtySession): void {
    try {
      session.start();
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('internal', `cannot start ${this.ctx.shell} on a terminal: ${(e as Error).message}`, {
        reason: 'PTY_START_FAILED',
      });
    }
  }

  async kill(id: string): Promise<void> {
    const s = this.get(id);
    await s.kill();
    if (this.sessions.get(id) === s) this.sessions.delete(id);
  }
}

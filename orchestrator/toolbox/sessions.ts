// Sessions in a sandbox (long-lived shells whose commands run in order), and
// the primitives background processes are built on: output from a byte
// offset with long-poll, input, and kill.
import type { Readable } from 'node:stream';
import type {
  CommandLogs,
  CommandOutput,
  SendInputRequest,
  SessionCommandInfo,
  SessionExecRequest,
  SessionExecResult,
  SessionInfo,
} from '../../common/wire/toolbox.js';
import { ENTRYPOINT_SESSION } from '../../common/wire/toolbox.js';
import type { Principal } from '../principal.js';
import { openStream, seg } from './daemon-stream.js';
import type { ToolboxAccess } from './index.js';

export interface OutputQuery {
  /** Byte offset in the interleaved output (a previous `nextOffset`); default 0. */
  offset?: number;
  /** Wait up to this long (ms, ≤ 60000) for output beyond `offset` while the command runs. */
  waitMs?: number;
  /** Most bytes to return (default 1 MiB). */
  maxBytes?: number;
}

const base = (sid: string) => `/process/session/${seg(sid)}`;
const cmdPath = (sid: string, cid: string) => `${base(sid)}/command/${seg(cid)}`;

export class SessionsToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  create(p: Principal, id: string, sessionId: string): Promise<SessionInfo> {
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call<SessionInfo>('POST', '/process/session', { body: { sessionId } }),
    );
  }
  list(p: Principal, id: string): Promise<SessionInfo[]> {
    return this.access.run(p, id, ({ daemon }) => daemon.call<SessionInfo[]>('GET', '/process/session'));
  }
  /** A session, or `entrypoint` for the image's own entrypoint. */
  get(p: Principal, id: string, sessionId: string): Promise<SessionInfo> {
    return this.access.run(p, id, ({ daemon }) => daemon.call<SessionInfo>('GET', base(sessionId)));
  }
  async delete(p: Principal, id: string, sessionId: string): Promise<void> {
    await this.access.run(p, id, ({ daemon }) => daemon.call('DELETE', base(sessionId)));
  }

  /** Sync: resolves when the command finished, with its output. Async: resolves with `cmdId` at once. */
  exec(
    p: Principal,
    id: string,
    sessionId: string,
    req: SessionExecRequest,
    signal?: AbortSignal,
  ): Promise<SessionExecResult> {
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call<SessionExecResult>('POST', `${base(sessionId)}/exec`, { body: req, signal }),
    );
  }
  command(p: Principal, id: string, sessionId: string, cmdId: string): Promise<SessionCommandInfo> {
    return this.access.run(p, id, ({ daemon }) => daemon.call<SessionCommandInfo>('GET', cmdPath(sessionId, cmdId)));
  }
  /** Everything the command (or, without `cmdId`, the entrypoint) wrote so far. */
  logs(p: Principal, id: string, sessionId: string, cmdId?: string): Promise<CommandLogs> {
    const path = cmdId === undefined ? `${base(sessionId)}/logs` : `${cmdPath(sessionId, cmdId)}/logs`;
    return this.access.run(p, id, ({ daemon }) => daemon.call<CommandLogs>('GET', path));
  }

  /**
   * The command's log as a byte stream in §6.4 framing (`01 01 01` before
   * stdout bytes, `02 02 02` before stderr bytes): what exists, then live,
   * ending once the command exited and its output is flushed. Call `end`
   * when done with the stream. Without `cmdId`: the entrypoint's log.
   */
  followLogs(
    p: Principal,
    id: string,
    sessionId: string,
    cmdId?: string | null,
  ): Promise<{ value: Readable; end: () => void }> {
    const path =
      cmdId === undefined || cmdId === null || (sessionId === ENTRYPOINT_SESSION && !cmdId)
        ? `${base(sessionId)}/logs`
        : `${cmdPath(sessionId, cmdId)}/logs`;
    return this.access.open(p, id, ({ daemon }) => openStream(daemon, path, { follow: 'true' }));
  }

  /** Output from a byte offset, optionally waiting for more (long-poll). */
  output(p: Principal, id: string, sessionId: string, cmdId: string, q: OutputQuery = {}): Promise<CommandOutput> {
    const query = {
      offset: q.offset ? String(q.offset) : undefined,
      waitMs: q.waitMs ? String(q.waitMs) : undefined,
      maxBytes: q.maxBytes ? String(q.maxBytes) : undefined,
    };
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call<CommandOutput>('GET', `${cmdPath(sessionId, cmdId)}/output`, { query }),
    );
  }

  /** Writes to the stdin of a running async command (`eof`: then closes it). */
  async input(p: Principal, id: string, sessionId: string, cmdId: string, input: SendInputRequest): Promise<void> {
    const path = `${cmdPath(sessionId, cmdId)}/input`;
    await this.access.run(p, id, ({ daemon }) => daemon.call('POST', path, { body: input }));
  }

  /**
   * Kills every process the command started (its whole tree, not what
   * earlier commands left running). A command that is a loop of shell
   * builtins can only be stopped by killing the session's shell, which ends
   * the session. Resolves once the command has exited.
   */
  kill(
    p: Principal,
    id: string,
    sessionId: string,
    cmdId: string,
    signal?: 'SIGTERM' | 'SIGKILL' | 'SIGINT' | 'SIGHUP',
  ): Promise<{ id: string; state: string; exitCode?: number }> {
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call('POST', `${cmdPath(sessionId, cmdId)}/kill`, { body: signal ? { signal } : {} }),
    );
  }
}

// Terminals in a sandbox (compat spec §4.6, §6.5). Plain calls manage
// sessions; connect/createConnect open a message channel the caller relays
// (to a WebSocket) and must `end` when the client is gone: the sandbox
// counts as active, and never auto-stops, while a terminal is attached.
import { PTY_CREATE_HEADER, type PtyCreateRequest, type PtySessionInfo } from '../../common/wire/pty.js';
import type { Principal } from '../principal.js';
import { openChannel, type MessageChannel } from './channel.js';
import type { ToolboxAccess } from './index.js';

const path = (sessionId: string, rest = '') => `/process/pty/${encodeURIComponent(sessionId)}${rest}`;

export class PtyToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  async list(p: Principal, sandboxId: string): Promise<PtySessionInfo[]> {
    const r = await this.access.run(p, sandboxId, ({ daemon }) =>
      daemon.call<{ sessions: PtySessionInfo[] }>('GET', '/process/pty'),
    );
    return r.sessions;
  }

  get(p: Principal, sandboxId: string, sessionId: string): Promise<PtySessionInfo> {
    return this.access.run(p, sandboxId, ({ daemon }) => daemon.call('GET', path(sessionId)));
  }

  /** Creates a session without attaching (started now unless `lazyStart`). */
  create(p: Principal, sandboxId: string, req: PtyCreateRequest): Promise<{ sessionId: string }> {
    return this.access.run(p, sandboxId, ({ daemon }) => daemon.call('POST', '/process/pty', { body: req }));
  }

  resize(p: Principal, sandboxId: string, sessionId: string, cols: number, rows: number): Promise<PtySessionInfo> {
    return this.access.run(p, sandboxId, ({ daemon }) =>
      daemon.call('POST', path(sessionId, '/resize'), { body: { cols, rows } }),
    );
  }

  /** Kills the shell and its processes; attached clients get the exit (137). */
  async kill(p: Principal, sandboxId: string, sessionId: string): Promise<void> {
    await this.access.run(p, sandboxId, ({ daemon }) => daemon.call('DELETE', path(sessionId)));
  }

  /** Creates a session and attaches to it in one step (409 if the id exists). */
  createConnect(
    p: Principal,
    sandboxId: string,
    req: PtyCreateRequest,
    opts: { exitControl: boolean },
  ): Promise<{ value: MessageChannel; end: () => void }> {
    return this.access.open(p, sandboxId, ({ daemon }) =>
      openChannel(daemon, '/process/pty/create-connect', {
        query: { exitControl: opts.exitControl ? '1' : undefined },
        headers: { [PTY_CREATE_HEADER]: Buffer.from(JSON.stringify(req)).toString('base64url') },
      }),
    );
  }

  /** Attaches to an existing session; an unknown id is reported on the channel (§6.5). */
  connect(
    p: Principal,
    sandboxId: string,
    sessionId: string,
    opts: { exitControl: boolean },
  ): Promise<{ value: MessageChannel; end: () => void }> {
    return this.access.open(p, sandboxId, ({ daemon }) =>
      openChannel(daemon, path(sessionId, '/connect'), { query: { exitControl: opts.exitControl ? '1' : undefined } }),
    );
  }
}

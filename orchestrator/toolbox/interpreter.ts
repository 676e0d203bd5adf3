// The stateful Python interpreter (compat spec §4.7, §6.6): contexts are
// long-lived Python processes; a run is a message channel the caller relays
// to a WebSocket and must `end` when the client is gone.
import type { CreateContextRequest, InterpreterContext } from '../../common/wire/interpreter.js';
import type { Principal } from '../principal.js';
import { openChannel, type MessageChannel } from './channel.js';
import type { ToolboxAccess } from './index.js';

export class InterpreterToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  createContext(p: Principal, sandboxId: string, req: CreateContextRequest): Promise<InterpreterContext> {
    return this.access.run(p, sandboxId, ({ daemon }) =>
      daemon.call('POST', '/process/interpreter/context', { body: req }),
    );
  }

  /** Contexts created by callers (the implicit `default` one is not listed). */
  async listContexts(p: Principal, sandboxId: string): Promise<InterpreterContext[]> {
    const r = await this.access.run(p, sandboxId, ({ daemon }) =>
      daemon.call<{ contexts: InterpreterContext[] }>('GET', '/process/interpreter/context'),
    );
    return r.contexts;
  }

  async deleteContext(p: Principal, sandboxId: string, contextId: string): Promise<void> {
    await this.access.run(p, sandboxId, ({ daemon }) =>
      daemon.call('DELETE', `/process/interpreter/context/${encodeURIComponent(contextId)}`),
    );
  }

  /**
   * Opens a run: send one text message `{code, contextId?, envs?, timeout?}`;
   * chunks come back as text messages and the channel closes when the run ends
   * (1000), times out (4008) or is rejected (1008/1011).
   */
  run(p: Principal, sandboxId: string): Promise<{ value: MessageChannel; end: () => void }> {
    return this.access.open(p, sandboxId, ({ daemon }) => openChannel(daemon, '/process/interpreter/execute'));
  }
}

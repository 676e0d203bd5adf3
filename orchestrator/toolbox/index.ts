// Toolbox capabilities (files, process, and those added later: sessions,
// code-run, git, LSP, PTY…) as use cases on a started sandbox. REST, MCP and
// the gateways all call these; none of them talks to a daemon on its own.
import type { Principal } from '../principal.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { Sandbox } from '../sandboxes/model.js';
import type { SandboxDaemon } from '../../common/wire/runner.js';

export interface ToolboxCall {
  sandbox: Sandbox;
  daemon: SandboxDaemon;
}

export class ToolboxAccess {
  constructor(private readonly sandboxes: SandboxService) {}

  /** Runs `f` against a started sandbox of the caller's organization; the call counts as activity. */
  async run<T>(p: Principal, sandboxId: string, f: (c: ToolboxCall) => Promise<T>): Promise<T> {
    const tb = await this.sandboxes.toolbox(p, sandboxId);
    try {
      return await f({ sandbox: tb.sandbox, daemon: tb.daemon });
    } finally {
      tb.end();
    }
  }

  /**
   * Like `run`, for results that keep streaming after `f` returns: the caller
   * must call `end` once the stream is over (activity stays open until then).
   */
  async open<T>(
    p: Principal,
    sandboxId: string,
    f: (c: ToolboxCall) => Promise<T>,
  ): Promise<{ value: T; end: () => void }> {
    const tb = await this.sandboxes.toolbox(p, sandboxId);
    try {
      return { value: await f({ sandbox: tb.sandbox, daemon: tb.daemon }), end: tb.end };
    } catch (e) {
      tb.end();
      throw e;
    }
  }
}

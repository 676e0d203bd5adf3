// One-shot command execution in a sandbox.
import type { DaemonHealth, ExecEvent, ExecRequest, ExecResult } from '../../common/wire/daemon.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

export class ProcessToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  /** The daemon's view of the sandbox: user, home, working directory, version. */
  info(p: Principal, sandboxId: string): Promise<DaemonHealth> {
    return this.access.run(p, sandboxId, ({ daemon }) => daemon.health());
  }

  /** Runs a command to completion (or timeout). Aborting the signal kills its process tree. */
  exec(
    p: Principal,
    sandboxId: string,
    req: ExecRequest,
    opts: { signal?: AbortSignal; onEvent?: (ev: ExecEvent) => void } = {},
  ): Promise<ExecResult> {
    return this.access.run(p, sandboxId, ({ daemon }) => daemon.exec(req, opts));
  }
}

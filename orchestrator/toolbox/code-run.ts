// Runs a snippet of Python, JavaScript or TypeScript in a sandbox; Python
// matplotlib figures come back as chart artifacts.
import type { CodeRunRequest, CodeRunResult } from '../../common/wire/toolbox.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

export class CodeRunToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  /** Throws a `timeout` AppError (reason PROCESS_EXECUTION_TIMEOUT) when `timeout` seconds pass; aborting kills the run. */
  run(p: Principal, id: string, req: CodeRunRequest, signal?: AbortSignal): Promise<CodeRunResult> {
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call<CodeRunResult>('POST', '/process/code-run', { body: req, signal }),
    );
  }
}

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { parseProcessId, processId } from './process-shapes.js';

export default defineTool({
  name: 'process_kill',
  group: 'core',
  title: 'Stop a process',
  description:
    'Stops a background process and everything it started (SIGTERM by default) and waits until it has exited.',
  input: z.object({
    sandbox_id: sandboxId,
    process_id: processId,
    signal: z.enum(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP']).default('SIGTERM'),
  }),
  output: z.object({ process_id: z.string(), state: z.string(), exit_code: z.number().nullable() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const { sessionId, cmdId } = parseProcessId(a.process_id);
    const r = await orch.toolbox.sessions.kill(principal, a.sandbox_id, sessionId, cmdId, a.signal);
    return {
      data: { process_id: a.process_id, state: r.state, exit_code: r.exitCode ?? null },
      text: `${a.process_id} ${r.state}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}`,
    };
  },
});

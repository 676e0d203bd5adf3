import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { OutputOut, parseProcessId, processId } from './process-shapes.js';

export default defineTool({
  name: 'process_output',
  group: 'core',
  title: 'Read a process\u2019s output',
  description:
    'Returns a background process\u2019s output from a byte offset (0 = the start) and the next_offset to continue from. With wait_ms it waits (long-poll) until new output arrives or the process ends, so a loop of calls follows the output live.',
  input: z.object({
    sandbox_id: sandboxId,
    process_id: processId,
    offset: z.number().int().min(0).default(0),
    wait_ms: z.number().int().min(0).max(60_000).default(0).describe('wait up to this long for output beyond offset'),
    max_bytes: z
      .number()
      .int()
      .min(1)
      .max(4 << 20)
      .default(256 * 1024),
  }),
  output: OutputOut,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const { sessionId, cmdId } = parseProcessId(a.process_id);
    const o = await orch.toolbox.sessions.output(principal, a.sandbox_id, sessionId, cmdId, {
      offset: a.offset,
      waitMs: a.wait_ms,
      maxBytes: a.max_bytes,
    });
    const data = {
      process_id: a.process_id,
      output: o.output,
      stdout: o.stdout,
      stderr: o.stderr,
      offset: o.offset,
      next_offset: o.nextOffset,
      skipped: o.skipped,
      running: o.running,
      exit_code: o.exitCode ?? null,
    };
    const status = o.running ? 'running' : `exited${o.exitCode !== undefined ? ` with code ${o.exitCode}` : ''}`;
    return {
      data,
      text: `${a.process_id} ${status}; bytes ${o.offset}-${o.nextOffset}${o.skipped ? ` (${o.skipped} earlier bytes dropped)` : ''}:\n${o.output}`,
    };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { parseProcessId, processId } from './process-shapes.js';

export default defineTool({
  name: 'process_input',
  group: 'core',
  title: 'Send input to a process',
  description: 'Writes text to the standard input of a running background process (add "\\n" to end a line).',
  input: z.object({ sandbox_id: sandboxId, process_id: processId, data: z.string().max(1 << 20) }),
  output: z.object({ process_id: z.string(), bytes: z.number() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const { sessionId, cmdId } = parseProcessId(a.process_id);
    await orch.toolbox.sessions.input(principal, a.sandbox_id, sessionId, cmdId, { data: a.data });
    const bytes = Buffer.byteLength(a.data);
    return { data: { process_id: a.process_id, bytes }, text: `Sent ${bytes} bytes to ${a.process_id}` };
  },
});

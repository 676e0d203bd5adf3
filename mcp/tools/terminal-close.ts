import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'terminal_close',
  group: 'terminal',
  title: 'Close a terminal',
  description: 'Ends a terminal\u2019s shell and every program running in it.',
  input: z.object({ sandbox_id: sandboxId, terminal_id: z.string().min(1) }),
  output: z.object({ terminal_id: z.string(), closed: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    await orch.toolbox.pty.kill(principal, a.sandbox_id, a.terminal_id);
    return { data: { terminal_id: a.terminal_id, closed: true }, text: `Terminal ${a.terminal_id} closed` };
  },
});

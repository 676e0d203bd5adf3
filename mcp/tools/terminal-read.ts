import { z } from 'zod';
import { screenText } from '../../orchestrator/toolbox/terminal.js';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'terminal_read',
  group: 'terminal',
  title: 'Read a terminal',
  description:
    'Returns what a terminal printed since the last terminal_send or terminal_read (e.g. a long-running program\u2019s progress).',
  input: z.object({ sandbox_id: sandboxId, terminal_id: z.string().min(1) }),
  output: z.object({ terminal_id: z.string(), output: z.string(), exited: z.boolean() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const ex = await orch.toolbox.terminal.exchange(principal, a.sandbox_id, a.terminal_id, undefined);
    const output = screenText(ex.earlier);
    return { data: { terminal_id: a.terminal_id, output, exited: !!ex.closed }, text: output || '(no new output)' };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'terminal_resize',
  group: 'terminal',
  title: 'Resize a terminal',
  description: 'Changes a terminal\u2019s size in columns and rows (full-screen programs redraw).',
  input: z.object({
    sandbox_id: sandboxId,
    terminal_id: z.string().min(1),
    cols: z.number().int().min(10).max(1000),
    rows: z.number().int().min(5).max(1000),
  }),
  output: z.object({ terminal_id: z.string(), cols: z.number(), rows: z.number() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const s = await orch.toolbox.pty.resize(principal, a.sandbox_id, a.terminal_id, a.cols, a.rows);
    return { data: { terminal_id: s.id, cols: s.cols, rows: s.rows }, text: `Terminal ${s.id} is ${s.cols}x${s.rows}` };
  },
});

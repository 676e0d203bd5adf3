import { z } from 'zod';
import { screenText } from '../../orchestrator/toolbox/terminal.js';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'terminal_create',
  group: 'terminal',
  title: 'Open a terminal',
  description:
    'Opens an interactive terminal (a shell on a PTY) for programs that need one: REPLs, editors, interactive installers. Type into it with terminal_send.',
  input: z.object({
    sandbox_id: sandboxId,
    terminal_id: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[^/\\\s]+$/)
      .optional()
      .describe('name for the terminal (default generated)'),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    cols: z.number().int().min(10).max(1000).default(120),
    rows: z.number().int().min(5).max(1000).default(40),
  }),
  output: z.object({ terminal_id: z.string(), screen: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ orch, principal }, a) {
    const { sessionId } = await orch.toolbox.pty.create(principal, a.sandbox_id, {
      id: a.terminal_id,
      cwd: a.cwd,
      envs: a.env,
      cols: a.cols,
      rows: a.rows,
    });
    const ex = await orch.toolbox.terminal.exchange(principal, a.sandbox_id, sessionId, undefined);
    const screen = screenText(ex.earlier);
    return { data: { terminal_id: sessionId, screen }, text: `Terminal ${sessionId} open.\n${screen}` };
  },
});

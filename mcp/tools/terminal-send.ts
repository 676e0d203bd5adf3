import { z } from 'zod';
import { screenText } from '../../orchestrator/toolbox/terminal.js';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

const KEYS: Record<string, string> = {
  enter: '\r',
  tab: '\t',
  escape: '\x1b',
  'ctrl-c': '\x03',
  'ctrl-d': '\x04',
  'ctrl-z': '\x1a',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  backspace: '\x7f',
};

export default defineTool({
  name: 'terminal_send',
  group: 'terminal',
  title: 'Type into a terminal',
  description:
    'Types text into a terminal (and presses Enter unless enter is false, or a special key), then returns the screen text the terminal printed until it went quiet. Output printed since the last call comes back as earlier.',
  input: z.object({
    sandbox_id: sandboxId,
    terminal_id: z.string().min(1),
    text: z.string().default(''),
    enter: z.boolean().default(true),
    key: z
      .enum(Object.keys(KEYS) as [string, ...string[]])
      .optional()
      .describe('a special key sent after the text'),
    quiet_ms: z
      .number()
      .int()
      .min(50)
      .max(10_000)
      .default(400)
      .describe('how long the terminal must be silent before answering'),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(120_000)
      .default(10_000)
      .describe('answer after this long even if output continues'),
  }),
  output: z.object({ terminal_id: z.string(), output: z.string(), earlier: z.string(), exited: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run({ orch, principal }, a) {
    const input = a.text + (a.key ? KEYS[a.key] : a.enter ? '\r' : '');
    const ex = await orch.toolbox.terminal.exchange(principal, a.sandbox_id, a.terminal_id, input, {
      quietMs: a.quiet_ms,
      timeoutMs: a.timeout_ms,
    });
    const output = screenText(ex.output);
    return {
      data: { terminal_id: a.terminal_id, output, earlier: screenText(ex.earlier), exited: !!ex.closed },
      text: output + (ex.closed ? `\n(terminal exited: ${ex.closed.reason || ex.closed.code})` : ''),
    };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_set_autostop',
  group: 'core',
  title: 'Set auto-stop, auto-archive and auto-delete',
  description:
    'Sets how many idle minutes before the sandbox stops (0 = never), and optionally when a stopped sandbox is archived or deleted.',
  input: z.object({
    sandbox_id: sandboxId,
    auto_stop_minutes: z.number().int().min(0).describe('idle minutes before stop; 0 = never'),
    auto_archive_minutes: z.number().int().min(0).optional().describe('stopped minutes before archive'),
    auto_delete_minutes: z
      .number()
      .int()
      .min(-1)
      .optional()
      .describe('stopped minutes before delete; -1 = never, 0 = on stop'),
  }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const s = await orch.sandboxes.setIntervals(principal, a.sandbox_id, {
      autoStop: a.auto_stop_minutes,
      autoArchive: a.auto_archive_minutes,
      autoDelete: a.auto_delete_minutes,
    });
    const out = sandboxOut(s);
    return {
      data: { sandbox: out },
      text: `Auto-stop ${out.auto_stop_minutes} min, auto-archive ${out.auto_archive_minutes} min, auto-delete ${out.auto_delete_minutes} min: ${sandboxLine(out)}`,
    };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_pause',
  group: 'core',
  title: 'Pause a sandbox',
  description:
    'Freezes a started sandbox: its processes keep their memory but use no CPU, and the other tools refuse it ' +
    'until sandbox_start resumes it (the same processes continue).',
  input: z.object({ sandbox_id: sandboxId }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const out = sandboxOut(await orch.sandboxes.request(principal, a.sandbox_id, 'pause'));
    return { data: { sandbox: out }, text: `sandbox_pause: ${sandboxLine(out)}\nResume it with sandbox_start.` };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_start',
  group: 'core',
  title: 'Start a sandbox',
  description:
    'Starts a stopped or archived sandbox (restoring its files), or resumes a paused one (its processes continue), and waits until it is started.',
  input: z.object({ sandbox_id: sandboxId }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const out = sandboxOut(await orch.sandboxes.request(principal, a.sandbox_id, 'start'));
    return { data: { sandbox: out }, text: `sandbox_start: ${sandboxLine(out)}` };
  },
});

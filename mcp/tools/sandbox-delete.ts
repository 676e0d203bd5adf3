import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_delete',
  group: 'core',
  title: 'Delete a sandbox',
  description: 'Deletes a sandbox and everything in it. This cannot be undone.',
  input: z.object({ sandbox_id: sandboxId }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const out = sandboxOut(await orch.sandboxes.request(principal, a.sandbox_id, 'delete'));
    return { data: { sandbox: out }, text: `sandbox_delete: ${sandboxLine(out)}` };
  },
});

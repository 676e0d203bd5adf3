import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_archive',
  group: 'core',
  title: 'Archive a sandbox',
  description: 'Moves a stopped sandbox to the archive store, freeing its container; sandbox_start restores it.',
  input: z.object({ sandbox_id: sandboxId }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const out = sandboxOut(await orch.sandboxes.request(principal, a.sandbox_id, 'archive'));
    return { data: { sandbox: out }, text: `sandbox_archive: ${sandboxLine(out)}` };
  },
});

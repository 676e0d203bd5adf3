import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_get',
  group: 'core',
  title: 'Get a sandbox',
  description: 'Shows one sandbox: state, image, resources, labels, auto-stop settings.',
  input: z.object({ sandbox_id: sandboxId }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const out = sandboxOut(await orch.sandboxes.get(principal, a.sandbox_id));
    return { data: { sandbox: out }, text: sandboxLine(out) };
  },
});

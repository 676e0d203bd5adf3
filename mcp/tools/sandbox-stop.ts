import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_stop',
  group: 'core',
  title: 'Stop a sandbox',
  description: 'Stops a sandbox; its files are kept and sandbox_start brings it back. Running processes end.',
  input: z.object({ sandbox_id: sandboxId }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const out = sandboxOut(await orch.sandboxes.request(principal, a.sandbox_id, 'stop'));
    return { data: { sandbox: out }, text: `sandbox_stop: ${sandboxLine(out)}` };
  },
});

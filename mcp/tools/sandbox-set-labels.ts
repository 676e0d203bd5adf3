import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_set_labels',
  group: 'core',
  title: 'Replace sandbox labels',
  description: 'Replaces all labels of a sandbox with the given map (an empty map removes them).',
  input: z.object({ sandbox_id: sandboxId, labels: z.record(z.string(), z.string()) }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const out = sandboxOut(await orch.sandboxes.setLabels(principal, a.sandbox_id, a.labels));
    return { data: { sandbox: out }, text: `Labels set: ${sandboxLine(out)}` };
  },
});

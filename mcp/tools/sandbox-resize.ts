import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_resize',
  group: 'core',
  title: 'Resize a sandbox',
  description:
    'Changes a sandbox\u2019s cpu and memory (applied to the running sandbox at once) or grows its disk. Give at ' +
    'least one; the others stay. Growth counts against the organization\u2019s quotas.',
  input: z.object({
    sandbox_id: sandboxId,
    cpu: z.number().positive().optional().describe('cpu cores'),
    memory: z.number().positive().optional().describe('memory in GiB'),
    disk: z.number().positive().optional().describe('disk in GiB (it can only grow)'),
  }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const sizes = { cpu: a.cpu, memory: a.memory, disk: a.disk };
    const out = sandboxOut(await orch.settings.resize(principal, a.sandbox_id, sizes));
    return { data: { sandbox: out }, text: `sandbox_resize: ${sandboxLine(out)}` };
  },
});

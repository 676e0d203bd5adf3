import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxId, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_fork',
  group: 'core',
  title: 'Fork a sandbox',
  description:
    'Creates an independent copy of a sandbox: the same files, environment, labels, resources, network policy and ' +
    'volume mounts (not its running processes), and waits until it is started. Changes to one never reach the ' +
    'other, except in shared volumes.',
  input: z.object({
    sandbox_id: sandboxId,
    name: z.string().max(63).optional().describe('name of the copy (letters, digits, . _ -); defaults to its id'),
  }),
  output: z.object({ sandbox: SandboxOut, source_id: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal, progress }, a) {
    const source = await orch.sandboxes.get(principal, a.sandbox_id);
    // Saving the files takes a while for a big sandbox: say what the call is waiting for.
    void progress({ progress: 0, total: 2, message: `saving the files of ${source.name}, then starting the copy` });
    const out = sandboxOut(await orch.stateOps.fork(principal, source.id, a.name));
    return { data: { sandbox: out, source_id: source.id }, text: `Forked ${source.name} into ${sandboxLine(out)}` };
  },
});

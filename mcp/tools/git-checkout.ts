import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { repoPath } from './git-shapes.js';

export default defineTool({
  name: 'git_checkout',
  group: 'git',
  title: 'Switch branch',
  description: 'Switches the work tree to a branch (or commit).',
  input: z.object({ sandbox_id: sandboxId, path: repoPath, branch: z.string().min(1) }),
  output: z.object({ branch: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    await orch.toolbox.git.checkout(principal, a.sandbox_id, { path: a.path, branch: a.branch });
    return { data: { branch: a.branch }, text: `Switched to ${a.branch}` };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { repoPath } from './git-shapes.js';

export default defineTool({
  name: 'git_add',
  group: 'git',
  title: 'Stage files',
  description: 'Stages files for the next commit ("." stages everything).',
  input: z.object({ sandbox_id: sandboxId, path: repoPath, files: z.array(z.string().min(1)).min(1).default(['.']) }),
  output: z.object({ staged: z.array(z.string()) }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    await orch.toolbox.git.add(principal, a.sandbox_id, { path: a.path, files: a.files });
    return { data: { staged: a.files }, text: `Staged ${a.files.join(' ')}` };
  },
});

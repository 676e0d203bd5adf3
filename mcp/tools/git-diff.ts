import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { repoPath } from './git-shapes.js';

export default defineTool({
  name: 'git_diff',
  group: 'git',
  title: 'Show changes',
  description:
    'Shows a unified diff: the work tree against the index (default), staged changes, or against a commit/branch, optionally for some files only.',
  input: z.object({
    sandbox_id: sandboxId,
    path: repoPath,
    staged: z.boolean().default(false),
    ref: z.string().optional().describe('compare with this commit or branch'),
    files: z.array(z.string()).optional(),
    context: z.number().int().min(0).max(100).default(3),
  }),
  output: z.object({ diff: z.string(), truncated: z.boolean() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const r = await orch.toolbox.gitDiff.diff(principal, a.sandbox_id, a.path, {
      staged: a.staged,
      ref: a.ref,
      files: a.files,
      context: a.context,
    });
    return { data: r, text: r.diff || 'No changes.' };
  },
});

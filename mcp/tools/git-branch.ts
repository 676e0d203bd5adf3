import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { repoPath } from './git-shapes.js';

export default defineTool({
  name: 'git_branch',
  group: 'git',
  title: 'List, create or delete branches',
  description:
    'Lists the branches (default), or creates or deletes one by name. Creating does not switch to it: use git_checkout.',
  input: z.object({
    sandbox_id: sandboxId,
    path: repoPath,
    action: z.enum(['list', 'create', 'delete']).default('list'),
    name: z.string().min(1).optional(),
  }),
  output: z.object({ branches: z.array(z.string()), current: z.string().nullable() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const git = orch.toolbox.git;
    if (a.action !== 'list') {
      if (!a.name)
        throw new AppError('invalid_argument', `name is required to ${a.action} a branch`, {
          hint: 'pass the branch name',
        });
      if (a.action === 'create') await git.createBranch(principal, a.sandbox_id, { path: a.path, name: a.name });
      else await git.deleteBranch(principal, a.sandbox_id, { path: a.path, name: a.name });
    }
    const b = await git.branches(principal, a.sandbox_id, a.path);
    const done = a.action === 'create' ? `Created ${a.name}. ` : a.action === 'delete' ? `Deleted ${a.name}. ` : '';
    return {
      data: { branches: b.branches, current: b.current ?? null },
      text: `${done}Branches: ${b.branches.map((x) => (x === b.current ? `*${x}` : x)).join(', ') || '(none)'}`,
    };
  },
});

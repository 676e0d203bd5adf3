import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { credentials } from './git-shapes.js';

export default defineTool({
  name: 'git_clone',
  group: 'git',
  title: 'Clone a repository',
  description:
    'Clones a git repository into a folder of the sandbox, optionally one branch or commit, shallow with depth.',
  input: z.object({
    sandbox_id: sandboxId,
    url: z.string().min(1),
    path: z.string().min(1).describe('destination folder'),
    branch: z.string().optional(),
    commit_id: z.string().optional(),
    depth: z.number().int().min(1).optional(),
    ...credentials,
  }),
  output: z.object({ path: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ orch, principal, signal }, a) {
    const r = await orch.toolbox.git.clone(
      principal,
      a.sandbox_id,
      {
        url: a.url,
        path: a.path,
        branch: a.branch,
        commit_id: a.commit_id,
        depth: a.depth,
        username: a.username,
        password: a.password,
      },
      signal,
    );
    return { data: { path: r.path }, text: `Cloned ${a.url} into ${r.path}` };
  },
});

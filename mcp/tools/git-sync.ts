// git_push and git_pull take the same arguments and answer the same shape;
// only the direction and the wording differ.
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { credentials, repoPath } from './git-shapes.js';

export function gitSyncTool(direction: 'push' | 'pull', title: string, description: string) {
  return defineTool({
    name: `git_${direction}`,
    group: 'git',
    title,
    description,
    input: z.object({
      sandbox_id: sandboxId,
      path: repoPath,
      remote: z.string().optional().describe('default origin'),
      branch: z.string().optional(),
      set_upstream: z.boolean().optional(),
      ...credentials,
    }),
    output: z.object({ path: z.string(), remote: z.string(), branch: z.string().nullable() }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    async run({ orch, principal, signal }, a) {
      const req = {
        path: a.path,
        remote: a.remote,
        branch: a.branch,
        set_upstream: a.set_upstream,
        username: a.username,
        password: a.password,
      };
      await (direction === 'push'
        ? orch.toolbox.git.push(principal, a.sandbox_id, req, signal)
        : orch.toolbox.git.pull(principal, a.sandbox_id, req, signal));
      const remote = a.remote ?? 'origin';
      return {
        data: { path: a.path, remote, branch: a.branch ?? null },
        text: `git ${direction} ${remote}${a.branch ? ` ${a.branch}` : ''}: done`,
      };
    },
  });
}

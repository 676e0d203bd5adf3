import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { credentials, repoPath } from './git-shapes.js';

export default defineTool({
  name: 'git_pull',
  group: 'git',
  title: 'Pull',
  description: 'Fetches and merges the upstream of the current branch (or branch from remote).',
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
    await orch.toolbox.git.pull(principal, a.sandbox_id, { path: a.path, remote: a.remote, branch: a.branch, set_upstream: a.set_upstream, username: a.username, password: a.password }, signal);
    return { data: { path: a.path, remote: a.remote ?? 'origin', branch: a.branch ?? null }, text: `git pull ${a.remote ?? 'origin'}${a.branch ? ` ${a.branch}` : ''}: done` };
  },
});

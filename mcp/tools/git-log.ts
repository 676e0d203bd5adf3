import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { repoPath } from './git-shapes.js';

export default defineTool({
  name: 'git_log',
  group: 'git',
  title: 'Commit history',
  description: 'Lists the commits of the current branch, newest first.',
  input: z.object({ sandbox_id: sandboxId, path: repoPath, limit: z.number().int().min(1).max(1000).default(20) }),
  output: z.object({
    commits: z.array(
      z.object({ hash: z.string(), author: z.string(), email: z.string(), message: z.string(), timestamp: z.string() }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const commits = (await orch.toolbox.git.history(principal, a.sandbox_id, a.path))
      .slice(0, a.limit)
      .map((c) => ({ hash: c.hash, author: c.author, email: c.email, message: c.message, timestamp: c.timestamp }));
    return {
      data: { commits },
      text: commits.length
        ? commits
            .map((c) => `${c.hash.slice(0, 10)} ${c.timestamp} ${c.author}: ${c.message.split('\n')[0]}`)
            .join('\n')
        : 'No commits.',
    };
  },
});

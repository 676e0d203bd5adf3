import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { repoPath } from './git-shapes.js';

export default defineTool({
  name: 'git_status',
  group: 'git',
  title: 'Repository status',
  description:
    'Shows the current branch, how far it is ahead/behind its upstream, and the state of changed files (staged and in the work tree).',
  input: z.object({ sandbox_id: sandboxId, path: repoPath }),
  output: z.object({
    current_branch: z.string(),
    ahead: z.number().nullable(),
    behind: z.number().nullable(),
    upstream: z.string().nullable(),
    files: z.array(z.object({ name: z.string(), staging: z.string(), worktree: z.string() })),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const s = await orch.toolbox.git.status(principal, a.sandbox_id, a.path);
    const files = s.fileStatus.map((f) => ({ name: f.name, staging: f.staging, worktree: f.worktree }));
    const head = `On ${s.currentBranch || '(detached)'}${s.upstream ? ` tracking ${s.upstream}` : ''}${s.ahead ? `, ahead ${s.ahead}` : ''}${s.behind ? `, behind ${s.behind}` : ''}`;
    return {
      data: {
        current_branch: s.currentBranch,
        ahead: s.ahead ?? null,
        behind: s.behind ?? null,
        upstream: s.upstream ?? null,
        files,
      },
      text: `${head}\n${files.length ? files.map((f) => `${f.staging.padEnd(10)} ${f.worktree.padEnd(10)} ${f.name}`).join('\n') : 'clean'}`,
    };
  },
});

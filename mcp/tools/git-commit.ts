import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { repoPath } from './git-shapes.js';

export default defineTool({
  name: 'git_commit',
  group: 'git',
  title: 'Commit',
  description:
    'Commits the staged changes. Author and email default to the repository\u2019s git config (user.name, user.email).',
  input: z.object({
    sandbox_id: sandboxId,
    path: repoPath,
    message: z.string().min(1),
    author: z.string().min(1).optional(),
    email: z.string().min(1).optional(),
    allow_empty: z.boolean().default(false),
  }),
  output: z.object({ hash: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const git = orch.toolbox.git;
    const fromConfig = async (key: string) =>
      (await git.getConfig(principal, a.sandbox_id, key, 'local', a.path).catch(() => ({ value: undefined }))).value ||
      (await git.getConfig(principal, a.sandbox_id, key, 'global').catch(() => ({ value: undefined }))).value;
    const author = a.author ?? (await fromConfig('user.name'));
    const email = a.email ?? (await fromConfig('user.email'));
    if (!author || !email)
      throw new AppError('invalid_argument', 'no commit author: pass author and email', {
        hint: 'or set them once with exec: git config --global user.name "…" && git config --global user.email "…"',
      });
    const r = await git.commit(principal, a.sandbox_id, {
      path: a.path,
      message: a.message,
      author,
      email,
      allow_empty: a.allow_empty,
    });
    return { data: { hash: r.hash }, text: `Committed ${r.hash.slice(0, 10)}: ${a.message.split('\n')[0]}` };
  },
});

// `git diff` for agents (the MCP git_diff tool): the git capability has no
// diff route, and a diff is just git's own output, so this runs git in the
// sandbox through the daemon's exec, as the sandbox user.
import { AppError } from '../../common/errors.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface GitDiffOptions {
  /** Staged changes (the index against HEAD) instead of the work tree against the index. */
  staged?: boolean;
  /** Compare with this commit or branch instead. */
  ref?: string;
  files?: string[];
  /** Lines of context (default 3). */
  context?: number;
  maxBytes?: number;
}

export class GitDiffToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  diff(p: Principal, id: string, repo: string, o: GitDiffOptions = {}): Promise<{ diff: string; truncated: boolean }> {
    if (o.ref !== undefined && !/^[\w./~^@{}-]+$/.test(o.ref))
      throw new AppError('invalid_argument', `ref ${JSON.stringify(o.ref)} is not a commit, branch or tag name`);
    const args = [
      'diff',
      '--no-color',
      '--no-ext-diff',
      `-U${o.context ?? 3}`,
      ...(o.staged ? ['--cached'] : []),
      ...(o.ref ? [o.ref] : []),
      '--',
      ...(o.files ?? []),
    ];
    const command = `git -C ${quote(repo)} ${args.map(quote).join(' ')}`;
    return this.access.run(p, id, async ({ daemon }) => {
      const r = await daemon.exec({ command, timeoutSec: 60, maxOutputBytes: Math.max(1024, o.maxBytes ?? 1 << 20) });
      if (r.exitCode !== 0) {
        const msg = r.stderr.trim() || `git diff exited with ${r.exitCode}`;
        throw new AppError(/not a git repository/i.test(msg) ? 'not_found' : 'invalid_argument', msg, {
          reason: 'GIT_DIFF_FAILED',
          hint: /not a git repository/i.test(msg)
            ? 'pass the folder of a git repository (git_clone makes one)'
            : 'check the ref and file names',
        });
      }
      return { diff: r.stdout, truncated: r.truncated };
    });
  }
}

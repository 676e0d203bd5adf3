// Regular-expression search in file contents (the MCP fs_search tool's
// content regex): the file-search capability matches literal text only, so
// this runs grep -E in the sandbox through the daemon's exec, as the sandbox
// user, skipping binary files.
import { AppError } from '../../common/errors.js';
import type { FindMatch } from '../../common/wire/toolbox.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class GrepToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  /** Lines matching an extended regular expression under `path` (at most `limit`, plus whether there were more). */
  grep(
    p: Principal,
    id: string,
    path: string,
    pattern: string,
    o: { ignoreCase?: boolean; limit?: number } = {},
  ): Promise<{ matches: FindMatch[]; truncated: boolean }> {
    const limit = o.limit ?? 1000;
    // -Z ends each file name with NUL, so names containing ":" parse unambiguously.
    const command = `grep -rnIZE --color=never ${o.ignoreCase ? '-i ' : ''}-e ${quote(pattern)} -- ${quote(path)} | head -n ${limit + 1}`;
    return this.access.run(p, id, async ({ daemon }) => {
      const r = await daemon.exec({
        command: `set -o pipefail; ${command}`,
        timeoutSec: 120,
        maxOutputBytes: 16 << 20,
      });
      // grep: 0 matches found, 1 none, 2 trouble; 141 = head closed the pipe early.
      if (r.exitCode === 2 || (r.exitCode > 2 && r.exitCode !== 141)) {
        const msg = r.stderr.trim().split('\n').slice(-1)[0] || `grep exited with ${r.exitCode}`;
        throw new AppError(
          /regular expression|unmatched|invalid/i.test(msg)
            ? 'invalid_argument'
            : /No such file/i.test(msg)
              ? 'not_found'
              : 'internal',
          msg.replace(/^grep: /, ''),
          {
            hint: 'content is an extended regular expression (grep -E); escape special characters for a literal match',
          },
        );
      }
      const matches: FindMatch[] = [];
      for (const line of r.stdout.split('\n')) {
        const nul = line.indexOf('\0');
        if (nul < 0) continue;
        const rest = line.slice(nul + 1);
        const colon = rest.indexOf(':');
        matches.push({ file: line.slice(0, nul), line: Number(rest.slice(0, colon)), content: rest.slice(colon + 1) });
      }
      return { matches: matches.slice(0, limit), truncated: matches.length > limit };
    });
  }
}

// Parses `git status --porcelain=v2 --branch -z` into the Daytona shape.
import type { GitFileState, GitFileStatus, GitStatus } from '../../common/wire/toolbox.js';

const STATE: Record<string, GitFileState> = {
  '.': 'Unmodified',
  M: 'Modified',
  T: 'Modified',
  A: 'Added',
  D: 'Deleted',
  R: 'Renamed',
  C: 'Copied',
  U: 'Updated but unmerged',
  '?': 'Untracked',
};
const state = (c: string | undefined): GitFileState => STATE[c ?? '.'] ?? 'Modified';

export function parsePorcelainV2(raw: string): GitStatus {
  const s: GitStatus = { currentBranch: '', fileStatus: [] };
  const files: GitFileStatus[] = s.fileStatus;
  const recs = raw.split('\0');
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    if (!r) continue;
    if (r.startsWith('# ')) {
      const [, key, ...rest] = r.split(' ');
      const v = rest.join(' ');
      if (key === 'branch.head') {
        if (v === '(detached)') s.detached = true;
        else s.currentBranch = v;
      } else if (key === 'branch.oid' && s.detached) s.currentBranch ||= v.slice(0, 12);
      else if (key === 'branch.upstream') {
        s.upstream = v;
        s.branchPublished = true;
      } else if (key === 'branch.ab') {
        const m = /^\+(\d+) -(\d+)$/.exec(v);
        if (m) {
          s.ahead = Number(m[1]);
          s.behind = Number(m[2]);
        }
      }
      continue;
    }
    const kind = r[0];
    if (kind === '?') files.push({ name: r.slice(2), staging: 'Untracked', worktree: 'Untracked', extra: '' });
    else if (kind === '1') {
      // 1 XY sub mH mI mW hH hI path
      const f = r.split(' ');
      files.push({ name: f.slice(8).join(' '), staging: state(f[1]![0]), worktree: state(f[1]![1]), extra: '' });
    } else if (kind === '2') {
      // 2 XY sub mH mI mW hH hI Xscore path \0 origPath
      const f = r.split(' ');
      const orig = recs[++i] ?? '';
      files.push({ name: f.slice(9).join(' '), staging: state(f[1]![0]), worktree: state(f[1]![1]), extra: orig });
    } else if (kind === 'u') {
      // u XY sub m1 m2 m3 mW h1 h2 h3 path
      const f = r.split(' ');
      files.push({
        name: f.slice(10).join(' '),
        staging: 'Updated but unmerged',
        worktree: 'Updated but unmerged',
        extra: '',
      });
    }
  }
  if (s.detached === undefined) s.detached = false;
  if (s.branchPublished === undefined) s.branchPublished = false;
  return s;
}

/** `git log` records separated by RS, fields by NUL. */
export const LOG_FORMAT = '%H%x00%an%x00%ae%x00%aI%x00%B%x1e';

export function parseLog(
  raw: string,
): { hash: string; author: string; email: string; timestamp: string; message: string }[] {
  return raw
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter(Boolean)
    .map((r) => {
      const [hash = '', author = '', email = '', timestamp = '', message = ''] = r.split('\0');
      return { hash, author, email, timestamp, message: message.replace(/\n+$/, '') };
    });
}

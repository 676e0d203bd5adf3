// Turns a failed git run into an AppError whose `reason` is the Daytona
// daemon code (§5), from git's own (C-locale) messages. Credentials are
// scrubbed from anything that leaves the daemon.
import { AppError, type ErrorCode } from '../../common/errors.js';

/** Removes URL user-info and every given secret from text that leaves the daemon. */
export function scrub(text: string, secrets: (string | undefined)[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]*@/gi, '$1***@');
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

interface Rule {
  test: RegExp;
  code: ErrorCode;
  reason: string;
  hint: string;
}

// Order matters: the first match wins.
const RULES: Rule[] = [
  {
    test: /blocked by the sandbox network policy/i,
    code: 'bad_gateway',
    reason: 'GIT_TRANSPORT_FAILED',
    hint: 'the sandbox may not reach the Berth host, link-local/metadata or private addresses; use a public address or change the sandbox network allow-list',
  },
  {
    test: /authentication failed|could not read (username|password)|terminal prompts disabled|invalid username or password|HTTP Basic: Access denied|requested URL returned error: (401|403)|Permission denied \(publickey|access denied|not authorized/i,
    code: 'unauthorized',
    reason: 'GIT_AUTH_FAILED',
    hint: 'pass username and password (or a token as the password) for this remote',
  },
  {
    test: /repository '.*' not found|repository not found|does not appear to be a git repository|requested URL returned error: 404|not found: did you run git update-server-info|fatal: '.*' does not exist|repository '.*' does not exist/i,
    code: 'not_found',
    reason: 'GIT_REPO_NOT_FOUND',
    hint: 'check the repository URL (and that your credentials may see it)',
  },
  {
    test: /not a git repository/i,
    code: 'not_found',
    reason: 'GIT_REPO_NOT_FOUND',
    hint: 'the path is not inside a git repository; clone or init one first',
  },
  {
    test: /destination path '.*' already exists and is not an empty directory/i,
    code: 'conflict',
    reason: 'CONFLICT',
    hint: 'clone into a new or empty folder',
  },
  {
    test: /remote branch .* not found|couldn't find remote ref|pathspec '.*' did not match any|invalid reference|branch '.*' not found|not a valid branch name|unknown revision|bad revision|not a valid object name|did not match any file\(s\) known to git|invalid refspec|no such branch|src refspec .* does not match any/i,
    code: 'not_found',
    reason: 'GIT_BRANCH_NOT_FOUND',
    hint: 'list branches (GET /git/branches) to see which exist',
  },
  {
    test: /a branch named '.*' already exists|already exists/i,
    code: 'conflict',
    reason: 'GIT_BRANCH_EXISTS',
    hint: 'pick another name, or delete the existing one first',
  },
  {
    test: /would be overwritten by|please commit your changes or stash them|your local changes|untracked working tree files would be/i,
    code: 'conflict',
    reason: 'GIT_DIRTY_WORKTREE',
    hint: 'commit, stash or discard your local changes first',
  },
  {
    test: /CONFLICT \(|automatic merge failed|unmerged paths|fix conflicts|you have not concluded your merge|merging is not possible/i,
    code: 'conflict',
    reason: 'GIT_MERGE_CONFLICT',
    hint: 'resolve the conflicts, then add and commit',
  },
  {
    test: /\[remote rejected\]|pre-receive hook declined|protected branch|remote rejected/i,
    code: 'unprocessable',
    reason: 'GIT_REMOTE_REJECTED',
    hint: 'the remote refused the update (hooks or branch protection); check its rules',
  },
  {
    test: /\[rejected\]|non-fast-forward|updates were rejected|failed to push some refs|fetch first/i,
    code: 'conflict',
    reason: 'GIT_PUSH_REJECTED',
    hint: 'pull (and merge) the remote changes first, then push again',
  },
  {
    test: /could not resolve host|failed to connect|connection refused|connection timed out|timed out|no route to host|network is unreachable|unable to access|SSL|certificate|gnutls|early EOF|the remote end hung up|RPC failed|could not read from remote repository|unable to connect/i,
    code: 'bad_gateway',
    reason: 'GIT_TRANSPORT_FAILED',
    hint: 'check the URL and that the sandbox can reach the remote (network policy, TLS: insecure_skip_tls for self-signed certificates)',
  },
  {
    test: /please tell me who you are|empty ident name|unable to auto-detect email/i,
    code: 'failed_precondition',
    reason: 'CONFLICT',
    hint: 'set user.name and user.email (POST /git/config/user) or pass author and email',
  },
  {
    test: /nothing to commit|no changes added to commit/i,
    code: 'failed_precondition',
    reason: 'CONFLICT',
    hint: 'stage changes with git add first, or pass allow_empty',
  },
  {
    test: /cannot delete branch .* (checked out|used by worktree)|cannot delete the branch .* which you are currently on/i,
    code: 'failed_precondition',
    reason: 'CONFLICT',
    hint: 'check out another branch first',
  },
  {
    test: /could not lock config file|permission denied/i,
    code: 'forbidden',
    reason: 'FILE_ACCESS_DENIED',
    hint: 'the sandbox user cannot write there (system scope needs root); use the global or local scope',
  },
  {
    test: /no upstream|no tracking information|has no upstream branch/i,
    code: 'failed_precondition',
    reason: 'GIT_BRANCH_NOT_FOUND',
    hint: 'pass remote and branch, or push with set_upstream first',
  },
];

/** The last `fatal:`/`error:` lines of git's output, which say what went wrong. */
export function gitSummary(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const important = lines.filter((l) => /^(fatal|error|remote: error|hint: Updates|! \[|CONFLICT)/i.test(l));
  const picked = (important.length ? important : lines).slice(-4).join('; ');
  return picked.length > 1000 ? picked.slice(0, 1000) + '…' : picked || 'git failed without a message';
}

export function classifyGitFailure(
  op: string,
  output: string,
  exitCode: number,
  secrets: (string | undefined)[] = [],
): AppError {
  const clean = scrub(output, secrets);
  const summary = gitSummary(clean);
  for (const r of RULES) {
    if (r.test.test(clean))
      return new AppError(r.code, `git ${op} failed: ${summary}`, {
        reason: r.reason,
        hint: r.hint,
        details: { exitCode },
      });
  }
  return new AppError('internal', `git ${op} failed (exit ${exitCode}): ${summary}`, {
    reason: 'INTERNAL_SERVER_ERROR',
    hint: 'see the message from git above',
    details: { exitCode },
  });
}

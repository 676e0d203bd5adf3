// Contracts of the toolbox capabilities beyond exec and file transfer: file
// search, sessions, code-run, git and system. The daemon validates requests
// with these schemas; the orchestrator and the edges share the result types.
import { z } from 'zod';
import { envMap, envName } from './daemon.js';

const noNul = (what: string) => z.string().refine((s) => !s.includes('\0'), `${what} contains a NUL byte`);
const pathField = noNul('path').pipe(z.string().min(1, 'path is required'));

// ---- files --------------------------------------------------------------

export interface FindMatch {
  file: string;
  line: number;
  content: string;
}

export const ReplaceRequest = z.object({
  files: z.array(pathField).min(1, 'files is empty').max(10_000),
  pattern: z.string().min(1, 'pattern is empty'),
  newValue: z.string(),
});
export type ReplaceRequest = z.infer<typeof ReplaceRequest>;

export interface ReplaceResult {
  file: string;
  success: boolean;
  error?: string;
  /** How many occurrences were replaced. */
  replacements?: number;
}

// ---- sessions -----------------------------------------------------------

/** Session ids travel in URL paths: printable, no slash or whitespace. */
export const SESSION_ID_RE = /^[^\s/\\\x00-\x1f\x7f]{1,256}$/;
export const ENTRYPOINT_SESSION = 'entrypoint';

export const CreateSessionRequest = z.object({
  sessionId: z.string().regex(SESSION_ID_RE, 'sessionId must be 1-256 printable characters without slashes or spaces'),
});

export const SessionExecRequest = z.object({
  command: z
    .string()
    .min(1, 'command is empty')
    .refine((s) => !s.includes('\0'), 'command contains a NUL byte'),
  runAsync: z.boolean().optional(),
  async: z.boolean().optional(),
  suppressInputEcho: z.boolean().optional(),
});
export type SessionExecRequest = z.infer<typeof SessionExecRequest>;

export interface SessionCommandInfo {
  id: string;
  command: string;
  /** Absent while the command is queued or running. */
  exitCode?: number;
  state: 'queued' | 'running' | 'exited';
  startedAt?: string;
  endedAt?: string;
}

export interface SessionInfo {
  sessionId: string;
  commands: SessionCommandInfo[];
  /** The shell exited (e.g. `exit` was run); new commands are refused. */
  ended?: boolean;
  createdAt: string;
}

export interface SessionExecResult {
  cmdId: string;
  exitCode?: number;
  output?: string;
  stdout?: string;
  stderr?: string;
}

export interface CommandLogs {
  output: string;
  stdout: string;
  stderr: string;
}

/** A slice of a command's output, for polling consumers (MCP background processes). */
export interface CommandOutput extends CommandLogs {
  /** Byte offset (in the interleaved output) this slice starts at. */
  offset: number;
  /** Pass this as `offset` next time. */
  nextOffset: number;
  /** Bytes before `offset` that were discarded because the log is capped. */
  skipped: number;
  running: boolean;
  exitCode?: number;
}

export const SendInputRequest = z.object({
  data: z.string().max(1 << 20, 'input over 1 MiB per call'),
  /** Berth addition: `base64` when `data` carries bytes (default: UTF-8 text). */
  encoding: z.enum(['utf8', 'base64']).optional(),
  /**
   * Berth addition: close the command's stdin after `data`, so it reads end
   * of file. The input pipe is the session's: later async commands of the
   * session read an empty stdin (use a session per process, as `berth sandbox
   * exec` does).
   */
  eof: z.boolean().optional(),
});
export type SendInputRequest = z.infer<typeof SendInputRequest>;

export const KillRequest = z.object({
  signal: z.enum(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP']).optional(),
});

// ---- code-run -----------------------------------------------------------

export const CODE_LANGUAGES = ['python', 'javascript', 'typescript'] as const;

export const CodeRunRequest = z.object({
  code: z.string(),
  language: z.enum(CODE_LANGUAGES, { message: 'language must be python, javascript or typescript' }),
  argv: z
    .array(z.string().refine((s) => !s.includes('\0'), 'argv entries cannot contain NUL bytes'))
    .max(1000)
    .optional(),
  envs: envMap.optional(),
  /** Seconds; 0 or absent = no limit. */
  timeout: z.number().min(0).max(86_400).optional(),
});
export type CodeRunRequest = z.infer<typeof CodeRunRequest>;

export interface Chart {
  type: 'line' | 'scatter' | 'bar' | 'pie' | 'box_and_whisker' | 'composite_chart' | 'unknown';
  title?: string;
  png?: string;
  x_label?: string;
  y_label?: string;
  x_ticks?: number[];
  y_ticks?: number[];
  x_tick_labels?: string[];
  y_tick_labels?: string[];
  x_scale?: string;
  y_scale?: string;
  elements: unknown[];
}

export interface CodeRunResult {
  exitCode: number;
  result: string;
  artifacts?: { charts?: Chart[] };
}

// ---- git ----------------------------------------------------------------

const optStr = z.string().optional();
const secret = z
  .string()
  .refine((s) => !/[\0\r\n]/.test(s), 'credentials cannot contain line breaks or NUL bytes')
  .optional();

export const GitClone = z.object({
  url: z.string().min(1, 'url is required'),
  path: pathField,
  branch: optStr,
  commit_id: optStr,
  username: secret,
  password: secret,
  insecure_skip_tls: z.boolean().optional(),
  depth: z.number().int().min(1).max(1_000_000).optional(),
});
export const GitPath = z.object({ path: pathField });
export const GitBranch = z.object({ path: pathField, name: z.string().min(1, 'name is required') });
export const GitCheckout = z.object({ path: pathField, branch: z.string().min(1, 'branch is required') });
export const GitAdd = z.object({ path: pathField, files: z.array(z.string()).min(1, 'files is empty') });
export const GitCommit = z.object({
  path: pathField,
  message: z.string().min(1, 'message is required'),
  author: z.string().min(1, 'author is required'),
  email: z.string().min(1, 'email is required'),
  allow_empty: z.boolean().optional(),
});
export const GitRemoteOp = z.object({
  path: pathField,
  username: secret,
  password: secret,
  branch: optStr,
  remote: optStr,
  set_upstream: z.boolean().optional(),
});
export const GitInit = z.object({ path: pathField, bare: z.boolean().optional(), initial_branch: optStr });
export const GitReset = z.object({
  path: pathField,
  mode: z.enum(['soft', 'mixed', 'hard', 'merge', 'keep']).optional(),
  target: optStr,
  files: z.array(z.string()).optional(),
});
export const GitRestore = z.object({
  path: pathField,
  files: z.array(z.string()).min(1, 'files is empty'),
  staged: z.boolean().optional(),
  worktree: z.boolean().optional(),
  source: optStr,
});
export const GitAddRemote = z.object({
  path: pathField,
  name: z.string().min(1, 'name is required'),
  url: z.string().min(1, 'url is required'),
  fetch: z.boolean().optional(),
  overwrite: z.boolean().optional(),
});
export const GitScope = z.enum(['global', 'local', 'system']);
export const GitSetConfig = z.object({
  key: z.string().min(1, 'key is required'),
  value: z.string(),
  scope: GitScope.optional(),
  path: optStr,
});
export const GitConfigureUser = z.object({
  name: z.string().min(1),
  email: z.string().min(1),
  scope: GitScope.optional(),
  path: optStr,
});

export type GitFileState =
  'Unmodified' | 'Untracked' | 'Modified' | 'Added' | 'Deleted' | 'Renamed' | 'Copied' | 'Updated but unmerged';

export interface GitFileStatus {
  name: string;
  staging: GitFileState;
  worktree: GitFileState;
  extra: string;
}

export interface GitStatus {
  currentBranch: string;
  fileStatus: GitFileStatus[];
  ahead?: number;
  behind?: number;
  branchPublished?: boolean;
  upstream?: string;
  detached?: boolean;
}

export interface GitCommitInfo {
  hash: string;
  author: string;
  email: string;
  message: string;
  timestamp: string;
}

// ---- system -------------------------------------------------------------

export const EnvUpdateRequest = z.object({
  set: envMap.optional(),
  unset: z.array(envName).optional(),
  unsetValuePrefix: z.string().optional(),
});
export type EnvUpdateRequest = z.infer<typeof EnvUpdateRequest>;

export interface SystemMetrics {
  cpuCount: number;
  cpuUsedPct: number;
  memTotal: number;
  memUsed: number;
  memCache: number;
  diskTotal: number;
  diskUsed: number;
  diskFree: number;
  timestamp: string;
  timestampUnix: number;
}

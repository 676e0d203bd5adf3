// The contract between the runner and the daemon inside each sandbox. Both
// sides import these schemas, so a change breaks the build instead of the wire.
import { z } from 'zod';

export const DAEMON_PROTOCOL_VERSION = 1;

/** First line the daemon writes on its dial-out connection, before HTTP/2 starts. */
export const helloLine = (sandboxId: string, secret: string) =>
  `BERTH/${DAEMON_PROTOCOL_VERSION} ${sandboxId} ${secret}\n`;
export const HELLO_RE = /^BERTH\/(\d+) ([A-Za-z0-9-]{1,64}) ([A-Za-z0-9_-]{16,128})$/;

/** Fixed paths inside every container. The folders are bind-mounted read-only. */
export const SANDBOX_PATHS = {
  bin: '/.berth/bin',
  run: '/.berth/run',
  runnerSocket: '/.berth/run/runner.sock',
} as const;

export const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'environment variable names are letters, digits and _ and do not start with a digit',
  );
export const envMap = z.record(envName, z.string());

export const ExecRequest = z.object({
  command: z.string().min(1, 'command is empty'),
  cwd: z.string().optional(),
  env: envMap.optional(),
  /** Seconds; 0 or absent = no limit. On expiry the whole process tree is killed. */
  timeoutSec: z.number().min(0).max(86_400).optional(),
  stdin: z.string().optional(),
  maxOutputBytes: z.number().int().min(1024).optional(),
});
export type ExecRequest = z.infer<typeof ExecRequest>;

/** One NDJSON line of the exec response stream. */
export type ExecEvent =
  { type: 'started'; pid: number } | { type: 'stdout' | 'stderr'; data: string } | { type: 'exit'; result: ExecExit };

export interface ExecExit {
  exitCode: number;
  signal?: string | null;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface ExecResult extends ExecExit {
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order (the Daytona `result`). */
  output: string;
}

export interface FileInfo {
  name: string;
  path: string;
  size: number;
  mode: string;
  permissions: string;
  isDir: boolean;
  isSymlink: boolean;
  modTime: string;
  owner: string;
  group: string;
}

export interface DaemonHealth {
  version: string;
  protocol: number;
  pid: number;
  uid: number;
  gid: number;
  user: string;
  home: string;
  workdir: string;
  uptimeMs: number;
  rssBytes: number;
  /** Whether orphans are reaped (the native addon loaded). */
  reaper?: boolean;
  /** How commands start: posix_spawn from the native addon, or Node's fork-based spawn. */
  spawn?: 'posix_spawn' | 'node';
  /** Whether the daemon started from V8's code cache written by the runner. */
  codeCache?: 'accepted' | 'rejected' | 'none';
}

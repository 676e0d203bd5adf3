// PTY contract between the orchestrator and the daemon (compat spec §4.6, §6.5).
import { z } from 'zod';
import { envMap } from './daemon.js';

export const PTY_MAX_DIMENSION = 1000;

const dimension = z
  .number()
  .int('must be a whole number')
  .min(1)
  .max(PTY_MAX_DIMENSION, `must be at most ${PTY_MAX_DIMENSION}`);

/** Session ids travel in URL paths: printable, no slash, bounded. */
export const ptyId = z
  .string()
  .min(1, 'id is empty')
  .max(256, 'id is longer than 256 characters')
  .regex(/^[^/\\\u0000-\u001f\u007f]+$/, 'id may not contain slashes or control characters');

export const PtyCreateRequest = z.object({
  id: ptyId.optional(),
  cwd: z.string().optional(),
  envs: envMap.optional(),
  cols: dimension.optional(),
  rows: dimension.optional(),
  /** Start the shell on the first connect instead of now. */
  lazyStart: z.boolean().optional(),
  /**
   * Berth addition: run this command line (`<shell> -c <command>`) on the
   * terminal instead of an interactive shell; the terminal ends with it and
   * reports its exit code (`berth sandbox exec -t`).
   */
  command: z
    .string()
    .min(1, 'command is empty')
    .max(1 << 16)
    .refine((s) => !s.includes('\0'), 'command contains a NUL byte')
    .optional(),
});
export type PtyCreateRequest = z.infer<typeof PtyCreateRequest>;

export const PtyResizeRequest = z.object({ cols: dimension, rows: dimension });
export type PtyResizeRequest = z.infer<typeof PtyResizeRequest>;

export interface PtySessionInfo {
  id: string;
  cwd: string;
  envs: Record<string, string>;
  cols: number;
  rows: number;
  createdAt: string;
  /** The shell is running. */
  active: boolean;
  lazyStart: boolean;
}

/** Query of the daemon's connect routes; `exitControl=1` when the client offered X-Daytona-Pty-Exit-Control. */
export interface PtyConnectQuery {
  exitControl?: boolean;
}

/** Header carrying the create-connect request (base64url JSON) to the daemon. */
export const PTY_CREATE_HEADER = 'x-berth-pty-create';

export interface PtyExit {
  exitCode: number;
  exitReason?: string;
}

/** Reasons the reference daemon gives for non-zero exits (§6.5). */
export function ptyExit(exitCode: number | undefined, signal: number | undefined): PtyExit {
  const code = signal ? 128 + signal : (exitCode ?? 0);
  if (code === 0) return { exitCode: 0 };
  if (code === 130) return { exitCode: code, exitReason: 'Ctrl+C' };
  if (code === 137) return { exitCode: code, exitReason: 'SIGKILL' };
  if (code === 143) return { exitCode: code, exitReason: 'SIGTERM' };
  if (code > 128) return { exitCode: code, exitReason: `signal ${code - 128}` };
  return { exitCode: code, exitReason: 'non-zero exit' };
}

// Interactive commands (SSH exec, `berth sandbox exec`) as a framed
// conversation (common/wire/frames.ts) with the daemon. Client → daemon:
// binary frames are stdin; text frames are control messages. Daemon →
// client: binary frames carry output, their first byte naming the stream
// (1 stdout, 2 stderr); text frames `started` and, last, `exit`.
import { z } from 'zod';
import { envMap } from './daemon.js';
import { PTY_MAX_DIMENSION } from './pty.js';

export const EXEC_ATTACH_PATH = '/process/exec/attach';
/** Header carrying the request (base64url JSON), since the body is the conversation. */
export const EXEC_ATTACH_HEADER = 'x-berth-exec';

export const STDOUT = 1;
export const STDERR = 2;

const dimension = z.number().int().min(1).max(PTY_MAX_DIMENSION);

export const ExecAttachRequest = z
  .object({
    /** A shell command line (run with the sandbox's shell -c) … */
    command: z
      .string()
      .min(1)
      .max(1 << 20)
      .optional(),
    /** … or an argument vector, run exactly as given (no shell parsing). */
    argv: z
      .array(z.string().max(1 << 20))
      .min(1)
      .max(4096)
      .optional(),
    cwd: z.string().optional(),
    env: envMap.optional(),
    /** Run on a terminal (stdout and stderr then arrive merged as stdout). */
    pty: z
      .object({
        cols: dimension,
        rows: dimension,
        term: z
          .string()
          .regex(/^[A-Za-z0-9._+-]{1,64}$/)
          .optional(),
      })
      .optional(),
  })
  .refine((r) => (r.command === undefined) !== (r.argv === undefined), 'give exactly one of command and argv');
export type ExecAttachRequest = z.infer<typeof ExecAttachRequest>;

/** Signals a client may send (by name, without SIG). */
export const ATTACH_SIGNALS = ['INT', 'TERM', 'HUP', 'QUIT', 'KILL', 'USR1', 'USR2', 'ALRM', 'ABRT'] as const;

export const ExecAttachControl = z.discriminatedUnion('type', [
  /** No more stdin (the command reads end-of-file). */
  z.object({ type: z.literal('eof') }),
  z.object({ type: z.literal('signal'), signal: z.enum(ATTACH_SIGNALS) }),
  z.object({ type: z.literal('resize'), cols: dimension, rows: dimension }),
]);
export type ExecAttachControl = z.infer<typeof ExecAttachControl>;

export type ExecAttachEvent =
  { type: 'started'; pid: number } | { type: 'exit'; exitCode: number; signal: string | null };

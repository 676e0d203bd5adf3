// Background processes are async commands in daemon sessions (one session per
// process, so processes run side by side). A process id names both:
// `<session id>~<command id>`; sessions started here are named `mcp-…`.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';

export const processId = z.string().min(3).max(600).describe('process id from exec_start or process_list');

export const newSessionName = () => `mcp-${randomBytes(6).toString('hex')}`;
export const toProcessId = (sessionId: string, cmdId: string) => `${sessionId}~${cmdId}`;

export function parseProcessId(id: string): { sessionId: string; cmdId: string } {
  const i = id.indexOf('~');
  if (i <= 0 || i === id.length - 1)
    throw new AppError('invalid_argument', `${JSON.stringify(id)} is not a process id`, {
      hint: 'use the process_id returned by exec_start or listed by process_list',
    });
  return { sessionId: id.slice(0, i), cmdId: id.slice(i + 1) };
}

/** Single-quotes a string for bash. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const OutputOut = z.object({
  process_id: z.string(),
  output: z.string().describe('stdout and stderr interleaved, from offset'),
  stdout: z.string(),
  stderr: z.string(),
  offset: z.number(),
  next_offset: z.number().describe('pass as offset next time'),
  skipped: z.number().describe('bytes dropped before offset because the log is capped'),
  running: z.boolean(),
  exit_code: z.number().nullable(),
});

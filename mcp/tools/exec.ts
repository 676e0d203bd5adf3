import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

/** Progress notifications are sent at most this often while output streams. */
const PROGRESS_EVERY_MS = 100;

const tail = (s: string, n: number) => (s.length > n ? `…${s.slice(-n)}` : s);

export default defineTool({
  name: 'exec',
  group: 'core',
  title: 'Run a command',
  description:
    'Runs a shell command (bash -c) in a sandbox and waits for it. Returns exit code, stdout, stderr and duration. Output streams as progress notifications when the client sends a progress token; cancelling the call kills the command and everything it started. For servers or long jobs use exec_start.',
  input: z.object({
    sandbox_id: sandboxId,
    command: z.string().min(1).describe('shell command line'),
    cwd: z.string().optional().describe('working directory (default: the sandbox working directory)'),
    env: z.record(z.string(), z.string()).optional().describe('extra environment variables'),
    stdin: z.string().optional().describe('text written to the command\u2019s standard input'),
    timeout: z
      .number()
      .min(0)
      .max(86_400)
      .optional()
      .describe('seconds before the command is killed (0 or absent: no limit)'),
    max_output_bytes: z
      .number()
      .int()
      .min(1024)
      .optional()
      .describe('output kept per stream; the rest is dropped and `truncated` set'),
  }),
  output: z.object({
    exit_code: z.number(),
    stdout: z.string(),
    stderr: z.string(),
    duration_ms: z.number(),
    timed_out: z.boolean(),
    truncated: z.boolean(),
    signal: z.string().nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(ctx, a) {
    let bytes = 0;
    let lastSent = 0;
    let pending = '';
    const flush = () => {
      if (!pending) return;
      const message = tail(pending, 500);
      pending = '';
      lastSent = Date.now();
      void ctx.progress({ progress: bytes, message });
    };
    const r = await ctx.orch.toolbox.process.exec(
      ctx.principal,
      a.sandbox_id,
      {
        command: a.command,
        cwd: a.cwd,
        env: a.env,
        stdin: a.stdin,
        timeoutSec: a.timeout,
        maxOutputBytes: a.max_output_bytes,
      },
      {
        signal: ctx.signal,
        onEvent: (ev) => {
          if (ev.type === 'started') void ctx.progress({ progress: 0, message: `started (pid ${ev.pid})` });
          if (ev.type !== 'stdout' && ev.type !== 'stderr') return;
          bytes += Buffer.byteLength(ev.data);
          pending += ev.data;
          if (Date.now() - lastSent >= PROGRESS_EVERY_MS) flush();
        },
      },
    );
    flush();
    const data = {
      exit_code: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      duration_ms: r.durationMs,
      timed_out: r.timedOut,
      truncated: r.truncated,
      signal: r.signal ?? null,
    };
    const status = r.timedOut
      ? `timed out after ${r.durationMs} ms (killed)`
      : `exit code ${r.exitCode}${r.signal ? ` (signal ${r.signal})` : ''}, ${r.durationMs} ms`;
    const text = [
      status + (r.truncated ? ', output truncated' : ''),
      r.stdout && `stdout:\n${r.stdout}`,
      r.stderr && `stderr:\n${r.stderr}`,
    ]
      .filter(Boolean)
      .join('\n');
    return { data, text };
  },
});

// Toolbox process routes (compat spec §4.4): one-shot command execution.
import { z } from 'zod';
import { AppError } from '../../../common/errors.js';
import { envMap } from '../../../common/wire/daemon.js';
import { principal } from '../../context.js';
import { route, type RouteTable } from '../../route.js';

const Execute = z.object({
  command: z.string().min(1, 'command is empty'),
  cwd: z.string().optional(),
  envs: envMap.optional(),
  timeout: z.number().int().min(0).max(86_400).optional(),
});

export function registerProcess(t: RouteTable): void {
  const d = t.d;
  const decl = {
    summary: 'Run a command and wait for it',
    tags: ['toolbox: process'],
    example: { command: 'echo hello', timeout: 30 },
  };
  route(
    t,
    { ...decl, method: 'post', path: '/process/execute', auth: 'key', body: Execute },
    async (ctx, { body: b }) => {
      const controller = new AbortController();
      // A client that hangs up takes its command with it.
      ctx.req.once('close', () => {
        if (!ctx.res.writableEnded) controller.abort();
      });
      const r = await d.orch.toolbox.process.exec(
        principal(ctx),
        ctx.params.sandboxId!,
        { command: b.command, cwd: b.cwd, env: b.envs, timeoutSec: b.timeout },
        { signal: controller.signal },
      );
      if (r.timedOut) {
        throw new AppError('timeout', `command timed out after ${b.timeout} s and was killed`, {
          reason: 'PROCESS_EXECUTION_TIMEOUT',
          hint: 'raise the timeout, or run it in the background (sessions with runAsync)',
          details: { output: r.output.slice(-4096) },
        });
      }
      ctx.body = {
        exitCode: r.exitCode,
        result: r.output,
        stdout: r.stdout,
        stderr: r.stderr,
        truncated: r.truncated,
        durationMs: r.durationMs,
      };
    },
  );
}

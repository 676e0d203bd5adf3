import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { toProcessId } from './process-shapes.js';

export default defineTool({
  name: 'process_list',
  group: 'core',
  title: 'List background processes',
  description:
    'Lists the commands of the sandbox\u2019s sessions (background processes from exec_start, and commands run through SDK sessions) with their state and exit code.',
  input: z.object({ sandbox_id: sandboxId }),
  output: z.object({
    processes: z.array(
      z.object({
        process_id: z.string(),
        session_id: z.string(),
        command: z.string(),
        state: z.enum(['queued', 'running', 'exited']),
        exit_code: z.number().nullable(),
        started_at: z.string().nullable(),
        ended_at: z.string().nullable(),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const sessions = await orch.toolbox.sessions.list(principal, a.sandbox_id);
    const processes = sessions.flatMap((s) =>
      s.commands.map((c) => ({
        process_id: toProcessId(s.sessionId, c.id),
        session_id: s.sessionId,
        command: c.command,
        state: c.state,
        exit_code: c.exitCode ?? null,
        started_at: c.startedAt ?? null,
        ended_at: c.endedAt ?? null,
      })),
    );
    const text = processes.length
      ? processes
          .map(
            (p) => `${p.process_id}  ${p.state}${p.exit_code !== null ? ` (exit ${p.exit_code})` : ''}  ${p.command}`,
          )
          .join('\n')
      : 'No processes. Start one with exec_start.';
    return { data: { processes }, text };
  },
});

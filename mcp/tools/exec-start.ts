import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { newSessionName, shellQuote, toProcessId } from './process-shapes.js';

export default defineTool({
  name: 'exec_start',
  group: 'core',
  title: 'Start a background process',
  description:
    'Starts a command in the background (a server, a watcher, a long build) and returns at once with its process_id. Read its output with process_output (from an offset, optionally waiting), send input with process_input, stop it with process_kill.',
  input: z.object({
    sandbox_id: sandboxId,
    command: z.string().min(1).describe('shell command line'),
    cwd: z.string().optional().describe('working directory'),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())
      .optional()
      .describe('extra environment variables'),
  }),
  output: z.object({ process_id: z.string(), session_id: z.string(), command_id: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run({ orch, principal }, a) {
    const sessions = orch.toolbox.sessions;
    const name = newSessionName();
    await sessions.create(principal, a.sandbox_id, name);
    const prefix = [
      ...Object.entries(a.env ?? {}).map(([k, v]) => `export ${k}=${shellQuote(v)};`),
      ...(a.cwd ? [`cd ${shellQuote(a.cwd)} &&`] : []),
    ].join(' ');
    const r = await sessions.exec(principal, a.sandbox_id, name, {
      command: prefix ? `${prefix} ${a.command}` : a.command,
      runAsync: true,
      suppressInputEcho: true,
    });
    const id = toProcessId(name, r.cmdId);
    return {
      data: { process_id: id, session_id: name, command_id: r.cmdId },
      text: `Started process ${id}: ${a.command}\nRead its output with process_output.`,
    };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'code_run',
  group: 'core',
  title: 'Run code',
  description:
    'Runs a Python, JavaScript or TypeScript snippet in a sandbox and returns its output. Matplotlib figures a Python snippet creates (plt.show() or left open) come back as image content with their chart data. Cancelling the call stops the run.',
  input: z.object({
    sandbox_id: sandboxId,
    language: z.enum(['python', 'javascript', 'typescript']),
    code: z.string().min(1),
    argv: z.array(z.string()).max(1000).optional().describe('command-line arguments'),
    env: z.record(z.string(), z.string()).optional(),
    timeout: z.number().min(0).max(86_400).optional().describe('seconds before the run is stopped'),
  }),
  output: z.object({
    exit_code: z.number(),
    output: z.string(),
    charts: z.array(
      z.object({
        type: z.string(),
        title: z.string().nullable(),
        x_label: z.string().nullable(),
        y_label: z.string().nullable(),
        elements: z.array(z.unknown()),
      }),
    ),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run({ orch, principal, signal }, a) {
    const r = await orch.toolbox.codeRun.run(
      principal,
      a.sandbox_id,
      { language: a.language, code: a.code, argv: a.argv, envs: a.env, timeout: a.timeout },
      signal,
    );
    const charts = r.artifacts?.charts ?? [];
    return {
      data: {
        exit_code: r.exitCode,
        output: r.result,
        charts: charts.map((c) => ({
          type: c.type,
          title: c.title ?? null,
          x_label: c.x_label ?? null,
          y_label: c.y_label ?? null,
          elements: c.elements ?? [],
        })),
      },
      text: `exit code ${r.exitCode}${charts.length ? `, ${charts.length} chart(s)` : ''}\n${r.result}`,
      content: charts
        .filter((c) => c.png)
        .map((c) => ({ type: 'image' as const, data: c.png!, mimeType: 'image/png' })),
    };
  },
});

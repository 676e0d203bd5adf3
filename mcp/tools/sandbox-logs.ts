import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'sandbox_logs',
  group: 'telemetry',
  title: 'Logs of a sandbox',
  description:
    'Returns what the sandbox\u2019s main process printed over the last minutes, oldest first: the Berth ' +
    'daemon\u2019s and the image entrypoint\u2019s stdout (INFO) and stderr (ERROR), with timestamps. Output of ' +
    'commands run with exec is not here (exec returns it).',
  input: z.object({
    sandbox_id: sandboxId,
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60)
      .describe('how far back to look'),
    search: z.string().max(1000).optional().describe('only lines containing this text'),
    severity: z.enum(['INFO', 'ERROR']).optional().describe('INFO = stdout, ERROR = stderr'),
    limit: z.number().int().min(1).max(1000).default(100),
    page: z.number().int().min(1).default(1),
  }),
  output: z.object({
    sandbox_id: z.string(),
    logs: z.array(z.object({ at: z.string(), stream: z.string(), severity: z.string(), text: z.string() })),
    total: z.number(),
    page: z.number(),
    total_pages: z.number(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal, clock }, a) {
    const s = await orch.sandboxes.get(principal, a.sandbox_id);
    const to = clock.now();
    const from = new Date(to.getTime() - a.minutes * 60_000);
    const severities = a.severity ? [a.severity] : undefined;
    const query = { from, to, page: a.page, limit: a.limit, search: a.search, severities };
    const r = await orch.sandboxMetrics.logs(principal, s.id, query);
    const logs = r.items.map((l) => ({
      at: l.timestamp,
      stream: l.logAttributes.stream,
      severity: l.severityText,
      text: l.body,
    }));
    const more = r.page < r.totalPages ? `\n(more: page ${r.page + 1} of ${r.totalPages})` : '';
    const lines = logs.map((l) => `${l.at} ${l.severity === 'ERROR' ? 'E' : 'I'} ${l.text}`).join('\n');
    const text = logs.length ? `${r.total} line(s):\n${lines}${more}` : `No log lines in the last ${a.minutes} min.`;
    return { data: { sandbox_id: s.id, logs, total: r.total, page: r.page, total_pages: r.totalPages }, text };
  },
});

import { z } from 'zod';
import { METRICS } from '../../orchestrator/index.js';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

const NAMES = Object.keys(METRICS) as [string, ...string[]];

/** Evenly spaced points of `all`, always keeping the last one. */
function thin<T>(all: T[], max: number): T[] {
  if (all.length <= max) return all;
  const step = all.length / max;
  return Array.from({ length: max }, (_, i) => all[Math.min(all.length - 1, Math.round((i + 1) * step) - 1)]!);
}

export default defineTool({
  name: 'sandbox_metrics',
  group: 'telemetry',
  title: 'Metric history of a sandbox',
  description:
    'Returns a sandbox\u2019s sampled metrics over the last minutes: cpu utilization (percent of its own cpu ' +
    'limit), memory use, cache and limit, disk use and size (bytes), network bytes received and sent. Samples are ' +
    'taken while it is started (every BERTH_METRICS_INTERVAL_SECONDS, 15 s by default).',
  input: z.object({
    sandbox_id: sandboxId,
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60)
      .describe('how far back to look'),
    metrics: z.array(z.enum(NAMES)).max(NAMES.length).optional().describe('metric names (default: all)'),
    max_points: z
      .number()
      .int()
      .min(1)
      .max(2000)
      .default(60)
      .describe('points per metric at most (evenly spaced, latest kept)'),
  }),
  output: z.object({
    sandbox_id: z.string(),
    from: z.string(),
    to: z.string(),
    series: z.array(
      z.object({
        metric: z.string(),
        samples: z.number().describe('samples in the range (before thinning to max_points)'),
        latest: z.number().nullable(),
        max: z.number().nullable(),
        points: z.array(z.object({ at: z.string(), value: z.number() })),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal, clock }, a) {
    const s = await orch.sandboxes.get(principal, a.sandbox_id);
    const to = clock.now();
    const from = new Date(to.getTime() - a.minutes * 60_000);
    const raw = await orch.sandboxMetrics.series(principal, s.id, from, to, a.metrics ?? NAMES);
    const series = raw.map((r) => {
      const values = r.dataPoints.map((p) => p.value);
      return {
        metric: r.metricName,
        samples: values.length,
        latest: values.length ? values[values.length - 1]! : null,
        max: values.length ? Math.max(...values) : null,
        points: thin(r.dataPoints, a.max_points).map((p) => ({ at: p.timestamp, value: p.value })),
      };
    });
    const lines = series.map((m) => {
      const seen = m.samples ? `latest ${m.latest}, max ${m.max} (${m.samples} samples)` : 'no samples';
      return `- ${m.metric}: ${seen}`;
    });
    const none = series.every((m) => !m.samples)
      ? '\nNo samples in this range: the sandbox was not started, or sampling is off ' +
        '(BERTH_METRICS_INTERVAL_SECONDS=0).'
      : '';
    const text = `Metrics of ${s.name} over the last ${a.minutes} min:\n${lines.join('\n')}${none}`;
    return { data: { sandbox_id: s.id, from: from.toISOString(), to: to.toISOString(), series }, text };
  },
});

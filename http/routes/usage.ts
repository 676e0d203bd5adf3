// GET /api/usage: the organization's quotas, what it uses now, and CPU-,
// memory- and disk-minutes per sandbox as recorded from the runner.
// GET /api/usage/daily: the same minutes per UTC day, with sandbox counts.
import { AppError } from '../../common/errors.js';
import { DAILY_MAX_DAYS, type UsageReport } from '../../orchestrator/index.js';
import { principal, type Ctx } from '../context.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';

export const usageDto = (r: UsageReport) => ({
  ...r,
  sandboxes: r.sandboxes.map((s) => ({ ...s, endedAt: s.endedAt?.toISOString() ?? null })),
});

const query = queryObject({ since: qs.string('ISO-8601 time: usage from then on') });
const dailyQuery = queryObject({ days: qs.string(`1 to ${DAILY_MAX_DAYS}, default 30`) });

export function registerUsage(t: RouteTable): void {
  const d = t.d;
  const handler = async (ctx: Ctx, { query: q }: { query: { since?: string } }) => {
    const s = q.since;
    const since = s ? new Date(s) : undefined;
    if (since && Number.isNaN(since.getTime()))
      throw new AppError('invalid_argument', 'since must be an ISO-8601 time', {
        hint: 'e.g. ?since=2026-01-01T00:00:00Z',
      });
    ctx.body = usageDto(await d.orch.usage.report(principal(ctx), { since }));
  };
  const daily = async (ctx: Ctx, { query: q }: { query: { days?: string } }) => {
    const s = q.days;
    const days = s === undefined || s === '' ? 30 : Number(s);
    if (!Number.isInteger(days) || days < 1 || days > DAILY_MAX_DAYS) {
      throw new AppError('invalid_argument', `days must be a whole number from 1 to ${DAILY_MAX_DAYS}`, {
        hint: 'e.g. ?days=30 (the default): the last 30 UTC days, today included',
      });
    }
    ctx.body = await d.orch.usage.daily(principal(ctx), days);
  };
  const inPath = { organization: (ctx: Ctx) => ctx.params.id };
  const report = {
    method: 'get',
    summary: 'Quotas, current use and resource-minutes per sandbox',
    tags: ['usage'],
    query,
  } as const;
  route(t, { ...report, path: '/usage', auth: 'key' }, handler);
  route(t, { ...report, path: '/organizations/:id/usage', auth: inPath }, handler);
  const perDay = {
    method: 'get',
    summary: 'Resource-minutes and sandbox counts per UTC day',
    tags: ['usage'],
    query: dailyQuery,
  } as const;
  route(t, { ...perDay, path: '/usage/daily', auth: 'key' }, daily);
  route(t, { ...perDay, path: '/organizations/:id/usage/daily', auth: inPath }, daily);
}

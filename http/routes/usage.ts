// GET /api/usage: the organization's quotas, what it uses now, and CPU-,
// memory- and disk-minutes per sandbox as recorded from the runner.
// GET /api/usage/daily: the same minutes per UTC day, with sandbox counts.
import { AppError } from '../../common/errors.js';
import { DAILY_MAX_DAYS, type UsageReport } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../context.js';
import { queryString } from '../parse.js';

export const usageDto = (r: UsageReport) => ({ ...r, sandboxes: r.sandboxes.map((s) => ({ ...s, endedAt: s.endedAt?.toISOString() ?? null })) });

export function registerUsage(router: ApiRouter, d: HttpDeps): void {
  const handler = async (ctx: Ctx) => {
    const s = queryString(ctx, 'since');
    const since = s ? new Date(s) : undefined;
    if (since && Number.isNaN(since.getTime())) throw new AppError('invalid_argument', 'since must be an ISO-8601 time', { hint: 'e.g. ?since=2026-01-01T00:00:00Z' });
    ctx.body = usageDto(await d.orch.usage.report(principal(ctx), { since }));
  };
  const daily = async (ctx: Ctx) => {
    const s = queryString(ctx, 'days');
    const days = s === undefined || s === '' ? 30 : Number(s);
    if (!Number.isInteger(days) || days < 1 || days > DAILY_MAX_DAYS) {
      throw new AppError('invalid_argument', `days must be a whole number from 1 to ${DAILY_MAX_DAYS}`, {
        hint: 'e.g. ?days=30 (the default): the last 30 UTC days, today included',
      });
    }
    ctx.body = await d.orch.usage.daily(principal(ctx), days);
  };
  router.get('/usage', requireAuth(d), handler);
  router.get('/usage/daily', requireAuth(d), daily);
  router.get('/organizations/:id/usage', requireAuth(d, { organization: (ctx) => ctx.params.id }), handler);
  router.get('/organizations/:id/usage/daily', requireAuth(d, { organization: (ctx) => ctx.params.id }), daily);
}

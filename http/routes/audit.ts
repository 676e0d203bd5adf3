// GET /api/audit: the organization's audit log, newest first, filtered and
// paginated by cursor. Needs read:audit_logs.
import { AppError } from '../../common/errors.js';
import type { AuditEntry, AuditOutcome } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../context.js';
import { queryNumber, queryString } from '../parse.js';

export const auditDto = (e: AuditEntry) => ({ ...e, createdAt: e.createdAt.toISOString() });

function date(ctx: Ctx, name: string): Date | undefined {
  const s = queryString(ctx, name);
  if (!s) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid_argument', `${name} must be an ISO-8601 time`, { hint: 'e.g. 2026-01-31T12:00:00Z' });
  return d;
}

export function registerAudit(router: ApiRouter, d: HttpDeps): void {
  router.get('/audit', requireAuth(d), async (ctx) => {
    const r = await d.orch.audit.list(principal(ctx), {
      action: queryString(ctx, 'action') || undefined,
      actorId: queryString(ctx, 'actorId') || undefined,
      targetId: queryString(ctx, 'targetId') || undefined,
      targetType: queryString(ctx, 'targetType') || undefined,
      outcome: (queryString(ctx, 'outcome') || undefined) as AuditOutcome | undefined,
      from: date(ctx, 'from'),
      to: date(ctx, 'to'),
      cursor: queryString(ctx, 'cursor') || undefined,
      limit: queryNumber(ctx, 'limit', { min: 1, max: 1000, int: true }),
    });
    ctx.body = { items: r.items.map(auditDto), nextCursor: r.nextCursor };
  });
}

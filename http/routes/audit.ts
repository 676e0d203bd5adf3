// GET /api/audit: the organization's audit log, newest first, filtered and
// paginated by cursor. Needs read:audit_logs.
import { AppError } from '../../common/errors.js';
import type { AuditEntry, AuditOutcome } from '../../orchestrator/index.js';
import { principal } from '../context.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';

export const auditDto = (e: AuditEntry) => ({ ...e, createdAt: e.createdAt.toISOString() });

function date(name: string, s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime()))
    throw new AppError('invalid_argument', `${name} must be an ISO-8601 time`, { hint: 'e.g. 2026-01-31T12:00:00Z' });
  return d;
}

const query = queryObject({
  action: qs.string(),
  actorId: qs.string(),
  targetId: qs.string(),
  targetType: qs.string(),
  outcome: qs.string('success or failure'),
  from: qs.string('ISO-8601 time'),
  to: qs.string('ISO-8601 time'),
  cursor: qs.string('nextCursor of the previous page'),
  limit: qs.number({ min: 1, max: 1000, int: true }),
});

export function registerAudit(t: RouteTable): void {
  const decl = {
    method: 'get',
    path: '/audit',
    summary: "The organization's audit log, newest first",
    tags: ['audit'],
    auth: 'key',
    query,
  } as const;
  route(t, decl, async (ctx, { query: q }) => {
    const r = await t.d.orch.audit.list(principal(ctx), {
      action: q.action || undefined,
      actorId: q.actorId || undefined,
      targetId: q.targetId || undefined,
      targetType: q.targetType || undefined,
      outcome: (q.outcome || undefined) as AuditOutcome | undefined,
      from: date('from', q.from),
      to: date('to', q.to),
      cursor: q.cursor || undefined,
      limit: q.limit,
    });
    ctx.body = { items: r.items.map(auditDto), nextCursor: r.nextCursor };
  });
}

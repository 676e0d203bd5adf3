// The audit log: every mutating action on every frontend, with who (user or
// key), organization, action, target, outcome, request id, source address and
// time. Entries are written in small batches off the request path (an exec
// must not wait for an insert); reads flush first, and close() flushes what
// is left. Only what callers put in `details` is stored: secrets and file
// contents are never passed in.
import { AppError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { Store } from '../store/db.js';
import type { Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';

export type AuditOutcome = 'success' | 'denied' | 'failure';
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'denied', 'failure'];

export interface AuditEntry {
  id: string;
  organizationId: string;
  actorType: 'key' | 'user' | 'system';
  userId: string | null;
  keyId: string | null;
  actor: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditOutcome;
  errorCode: string | null;
  requestId: string | null;
  sourceIp: string | null;
  frontend: string | null;
  details: Record<string, unknown> | null;
  createdAt: Date;
}

export interface AuditRecord {
  action: string;
  target?: { type: string; id?: string | null };
  outcome: AuditOutcome;
  errorCode?: string;
  details?: Record<string, unknown>;
  /** Overrides the principal's organization (e.g. the one a new organization got). */
  organizationId?: string;
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetId?: string;
  targetType?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit?: number;
}

interface Row {
  id: string;
  organization_id: string;
  actor_type: string;
  user_id: string | null;
  key_id: string | null;
  actor: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  error_code: string | null;
  request_id: string | null;
  source_ip: string | null;
  frontend: string | null;
  details: string | null;
  created_at: number;
}

/** Denials are the codes a refused caller gets; everything else that failed is a failure. */
const DENIALS = new Set(['unauthorized', 'forbidden', 'quota_exceeded', 'rate_limited']);
export const outcomeOf = (code: string | undefined): AuditOutcome =>
  !code ? 'success' : DENIALS.has(code) ? 'denied' : 'failure';

const toEntry = (r: Row): AuditEntry => ({
  id: r.id,
  organizationId: r.organization_id,
  actorType: r.actor_type as AuditEntry['actorType'],
  userId: r.user_id,
  keyId: r.key_id,
  actor: r.actor,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  outcome: r.outcome as AuditOutcome,
  errorCode: r.error_code,
  requestId: r.request_id,
  sourceIp: r.source_ip,
  frontend: r.frontend,
  details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  createdAt: new Date(Number(r.created_at)),
});

const cursorOf = (r: Row) => Buffer.from(JSON.stringify([Number(r.created_at), r.id])).toString('base64url');

export class AuditLog {
  private queue: Row[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Queues one entry; it reaches the store within a fraction of a second. */
  record(p: Principal, r: AuditRecord): void {
    const details = r.details && Object.keys(r.details).length ? JSON.stringify(r.details).slice(0, 4000) : null;
    this.queue.push({
      id: newId(),
      organization_id: r.organizationId ?? p.organizationId,
      actor_type: p.userId === 'system' ? 'system' : p.keyId ? 'key' : 'user',
      user_id: p.userId === 'system' ? null : p.userId,
      key_id: p.keyId,
      actor: p.email ?? (p.userId === 'system' ? 'berth' : null),
      action: r.action,
      target_type: r.target?.type ?? null,
      target_id: r.target?.id ? String(r.target.id).slice(0, 512) : null,
      outcome: r.outcome,
      error_code: r.errorCode ?? null,
      request_id: p.source?.requestId?.slice(0, 128) ?? null,
      source_ip: p.source?.ip?.slice(0, 64) ?? null,
      frontend: p.source?.frontend ?? null,
      details,
      created_at: this.clock.now().getTime(),
    });
    if (this.queue.length >= 100) void this.flush();
    else if (!this.timer) {
      // eslint-disable-next-line no-restricted-globals -- wall clock: a write-batching window for the database, not Berth's time
      this.timer = setTimeout(() => void this.flush(), 200);
      this.timer.unref();
    }
  }

  /** Writes every queued entry. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.flushing.then(async () => {
      if (!batch.length) return;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await this.store.knex('audit_logs').insert(batch);
          return;
        } catch (e) {
          if (attempt === 2)
            this.log.error('audit entries could not be stored', { count: batch.length, error: (e as Error).message });
          // eslint-disable-next-line no-restricted-globals -- wall clock: back-off before retrying the database
          else await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
        }
      }
    });
    return this.flushing;
  }

  /** The principal's organization's entries, newest first, filtered and paginated. Needs read:audit_logs. */
  async list(p: Principal, f: AuditFilter = {}): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    requirePermission(p, 'read:audit_logs');
    await this.flush();
    const limit = f.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new AppError('invalid_argument', 'limit must be 1-1000', {
        hint: 'page with limit and the nextCursor of the previous page',
      });
    if (f.outcome && !AUDIT_OUTCOMES.includes(f.outcome))
      throw new AppError('invalid_argument', `outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`, {
        hint: 'e.g. ?outcome=denied',
      });
    const q = this.store.knex<Row>('audit_logs').where('organization_id', p.organizationId);
    // A prefix (sandbox) matches its actions (sandbox.create); LIKE needs the escape named for SQLite.
    if (f.action)
      q.where((w) =>
        w
          .where('action', f.action!)
          .orWhereRaw("action like ? escape '\\'", [`${f.action!.replace(/[%_\\]/g, (c) => '\\' + c)}.%`]),
      );
    if (f.actorId)
      q.where((w) => w.where('user_id', f.actorId!).orWhere('key_id', f.actorId!).orWhere('actor', f.actorId!));
    if (f.targetId) q.where('target_id', f.targetId);
    if (f.targetType) q.where('target_type', f.targetType);
    if (f.outcome) q.where('outcome', f.outcome);
    if (f.from) q.where('created_at', '>=', f.from.getTime());
    if (f.to) q.where('created_at', '<=', f.to.getTime());
    if (f.cursor) {
      let at: number, id: string;
      try {
        [at, id] = JSON.parse(Buffer.from(f.cursor, 'base64url').toString('utf8')) as [number, string];
        if (typeof at !== 'number' || typeof id !== 'string') throw new Error();
      } catch {
        throw new AppError('invalid_argument', 'cursor is not valid', {
          hint: 'pass the nextCursor of a previous page unchanged',
        });
      }
      q.where((w) => w.where('created_at', '<', at).orWhere((x) => x.where('created_at', at).andWhere('id', '<', id)));
    }
    const rows = (await q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1)) as Row[];
    const page = rows.slice(0, limit);
    return { items: page.map(toEntry), nextCursor: rows.length > limit ? cursorOf(page[page.length - 1]!) : null };
  }

  /** Deletes entries older than the retention (days; 0 keeps everything). */
  async prune(retentionDays: number): Promise<number> {
    if (retentionDays <= 0) return 0;
    await this.flush();
    return this.store
      .knex('audit_logs')
      .where('created_at', '<', this.clock.now().getTime() - retentionDays * 86_400_000)
      .delete();
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

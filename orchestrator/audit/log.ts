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
import { AuditRepo, type AuditRow } from './repo.js';

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

/** Denials are the codes a refused caller gets; everything else that failed is a failure. */
const DENIALS = new Set(['unauthorized', 'forbidden', 'quota_exceeded', 'rate_limited']);
export const outcomeOf = (code: string | undefined): AuditOutcome =>
  !code ? 'success' : DENIALS.has(code) ? 'denied' : 'failure';

const cursorOf = (e: AuditEntry) => Buffer.from(JSON.stringify([e.createdAt.getTime(), e.id])).toString('base64url');

export class AuditLog {
  private queue: AuditRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly entries: AuditRepo;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.entries = new AuditRepo(store);
  }

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
          await this.entries.insert(batch);
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
    let before: { at: number; id: string } | undefined;
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
      before = { at, id };
    }
    const rows = await this.entries.page(
      p.organizationId,
      {
        action: f.action,
        actorId: f.actorId,
        targetId: f.targetId,
        targetType: f.targetType,
        outcome: f.outcome,
        from: f.from?.getTime(),
        to: f.to?.getTime(),
        before,
      },
      limit + 1,
    );
    const page = rows.slice(0, limit);
    return { items: page, nextCursor: rows.length > limit ? cursorOf(page[page.length - 1]!) : null };
  }

  /** Deletes entries older than the retention (days; 0 keeps everything). */
  async prune(retentionDays: number): Promise<number> {
    if (retentionDays <= 0) return 0;
    await this.flush();
    return this.entries.removeOlderThan(this.clock.now().getTime() - retentionDays * 86_400_000);
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

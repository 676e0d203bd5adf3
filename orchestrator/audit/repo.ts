// Store access for the audit log (audit_logs); every read is scoped by organization.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import type { AuditEntry, AuditOutcome } from './log.js';

export interface AuditRow {
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

/** What a page of entries is filtered by; `before` is the last entry of the previous page. */
export interface AuditQuery {
  action?: string;
  actorId?: string;
  targetId?: string;
  targetType?: string;
  outcome?: AuditOutcome;
  from?: number;
  to?: number;
  before?: { at: number; id: string };
}

const toEntry = (r: AuditRow): AuditEntry => ({
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

export class AuditRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<AuditRow> {
    return this.store.knex<AuditRow>('audit_logs');
  }

  async insert(rows: AuditRow[]): Promise<void> {
    await this.t.insert(rows);
  }

  /** Up to `limit` entries of the organization matching `f`, newest first. */
  async page(organizationId: string, f: AuditQuery, limit: number): Promise<AuditEntry[]> {
    const q = this.t.where('organization_id', organizationId);
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
    if (f.from !== undefined) q.where('created_at', '>=', f.from);
    if (f.to !== undefined) q.where('created_at', '<=', f.to);
    const before = f.before;
    if (before)
      q.where((w) =>
        w
          .where('created_at', '<', before.at)
          .orWhere((x) => x.where('created_at', before.at).andWhere('id', '<', before.id)),
      );
    const rows = (await q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)) as AuditRow[];
    return rows.map(toEntry);
  }

  /** Deletes entries made before `at`; how many. */
  removeOlderThan(at: number): Promise<number> {
    return this.t.where('created_at', '<', at).delete();
  }
}

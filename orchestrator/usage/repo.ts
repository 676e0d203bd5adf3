// Store access for usage per sandbox (sandbox_usage); every read is by sandbox
// or scoped by organization. Rows are decoded here (PostgreSQL returns bigint
// columns as strings, SQLite booleans as 0/1).
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import type { ActiveRow } from './daily.js';

export interface UsageRow {
  sandbox_id: string;
  organization_id: string;
  sandbox_name: string;
  cpu: number;
  memory: number;
  disk: number;
  running: boolean;
  has_disk: boolean;
  cpu_minutes: number;
  memory_gib_minutes: number;
  disk_gib_minutes: number;
  sampled_at: number;
  created_at: number;
  ended_at: number | null;
}

type StoredRow = { [K in keyof UsageRow]: UsageRow[K] | string | number };

const toUsageRow = (r: StoredRow): UsageRow => ({
  sandbox_id: String(r.sandbox_id),
  organization_id: String(r.organization_id),
  sandbox_name: String(r.sandbox_name),
  cpu: Number(r.cpu),
  memory: Number(r.memory),
  disk: Number(r.disk),
  running: !!Number(r.running),
  has_disk: !!Number(r.has_disk),
  cpu_minutes: Number(r.cpu_minutes),
  memory_gib_minutes: Number(r.memory_gib_minutes),
  disk_gib_minutes: Number(r.disk_gib_minutes),
  sampled_at: Number(r.sampled_at),
  created_at: Number(r.created_at),
  ended_at: r.ended_at === null ? null : Number(r.ended_at),
});

/** Most rows one report reads. */
const REPORT_LIMIT = 10_000;

export class UsageRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<StoredRow> {
    return this.store.knex<StoredRow>('sandbox_usage');
  }

  async get(sandboxId: string): Promise<UsageRow | null> {
    const r = await this.t.where({ sandbox_id: sandboxId }).first();
    return r ? toUsageRow(r as StoredRow) : null;
  }

  async insert(row: UsageRow): Promise<void> {
    await this.t.insert(row);
  }

  async update(sandboxId: string, fields: Partial<UsageRow>, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.store.knex)('sandbox_usage').where({ sandbox_id: sandboxId }).update(fields);
  }

  /** The organization's sandboxes, newest first; with `endedSince`, only those live then or later. */
  async list(organizationId: string, endedSince?: number): Promise<UsageRow[]> {
    const q = this.t.where('organization_id', organizationId);
    if (endedSince !== undefined) q.where((w) => w.whereNull('ended_at').orWhere('ended_at', '>=', endedSince));
    const rows = (await q.orderBy('created_at', 'desc').limit(REPORT_LIMIT)) as StoredRow[];
    return rows.map(toUsageRow);
  }

  /** The organization's sandboxes that still exist, with their current rates. */
  async current(organizationId: string): Promise<ActiveRow[]> {
    const rows = (await this.t
      .where('organization_id', organizationId)
      .whereNull('ended_at')
      .select('sandbox_id', 'cpu', 'memory', 'disk', 'running', 'has_disk', 'sampled_at')) as StoredRow[];
    return rows.map((r) => ({
      sandbox_id: String(r.sandbox_id),
      cpu: Number(r.cpu),
      memory: Number(r.memory),
      disk: Number(r.disk),
      running: !!Number(r.running),
      has_disk: !!Number(r.has_disk),
      sampled_at: Number(r.sampled_at),
    }));
  }
}

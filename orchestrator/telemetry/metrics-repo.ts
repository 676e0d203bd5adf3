// Store access for sampled sandbox metrics (sandbox_metrics). PostgreSQL returns
// bigint columns as strings; rows are decoded to numbers here.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

export interface MetricRow {
  sandbox_id: string;
  organization_id: string;
  at: number;
  cpu_pct: number;
  cpu_limit: number;
  memory: number;
  memory_cache: number;
  memory_limit: number;
  disk: number | null;
  disk_total: number;
  net_rx: number;
  net_tx: number;
}

type StoredRow = { [K in keyof MetricRow]: MetricRow[K] | string };

function toMetricRow(r: StoredRow): MetricRow {
  return {
    sandbox_id: String(r.sandbox_id),
    organization_id: String(r.organization_id),
    at: Number(r.at),
    cpu_pct: Number(r.cpu_pct),
    cpu_limit: Number(r.cpu_limit),
    memory: Number(r.memory),
    memory_cache: Number(r.memory_cache),
    memory_limit: Number(r.memory_limit),
    disk: r.disk === null ? null : Number(r.disk),
    disk_total: Number(r.disk_total),
    net_rx: Number(r.net_rx),
    net_tx: Number(r.net_tx),
  };
}

/** Most samples one series query returns. */
const SERIES_LIMIT = 20_000;

export class MetricRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<StoredRow> {
    return this.store.knex<StoredRow>('sandbox_metrics');
  }

  async insert(rows: MetricRow[]): Promise<void> {
    await this.t.insert(rows);
  }

  async removeOlderThan(at: number): Promise<void> {
    await this.t.where('at', '<', at).delete();
  }

  /** Samples of `sandboxId` taken in [from, to], oldest first. */
  async range(sandboxId: string, from: number, to: number): Promise<MetricRow[]> {
    const rows = (await this.t
      .where('sandbox_id', sandboxId)
      .andWhere('at', '>=', from)
      .andWhere('at', '<=', to)
      .orderBy('at', 'asc')
      .limit(SERIES_LIMIT)) as StoredRow[];
    return rows.map(toMetricRow);
  }

  async removeSandbox(sandboxId: string): Promise<void> {
    await this.t.where('sandbox_id', sandboxId).delete();
  }
}

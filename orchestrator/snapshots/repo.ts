// Store access for snapshots; every query is scoped by organization.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import { toSnapshot, type Snapshot, type SnapshotRow } from './model.js';

export const SNAPSHOT_SORT = {
  name: 'name',
  state: 'state',
  lastUsedAt: 'last_used_at',
  createdAt: 'created_at',
} as const;
export type SnapshotSort = keyof typeof SNAPSHOT_SORT;

export interface SnapshotQuery {
  page: number;
  limit: number;
  name?: string;
  sourceSandboxId?: string;
  sort: SnapshotSort;
  order: 'asc' | 'desc';
}

export class SnapshotRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<SnapshotRow> {
    return this.store.knex<SnapshotRow>('snapshots');
  }

  async get(organizationId: string, idOrName: string): Promise<Snapshot | null> {
    const row = await this.t
      .where('organization_id', organizationId)
      .andWhere((q) => q.where('id', idOrName).orWhere('name', idOrName))
      .orderByRaw('case when id = ? then 0 else 1 end', [idOrName])
      .first();
    return row ? toSnapshot(row) : null;
  }

  async list(organizationId: string, q: SnapshotQuery): Promise<{ items: Snapshot[]; total: number }> {
    const base = this.t.where('organization_id', organizationId);
    if (q.name) base.where('name', 'like', `%${q.name.replace(/[%_\\]/g, (c) => '\\' + c)}%`);
    if (q.sourceSandboxId) base.where('source_sandbox_id', q.sourceSandboxId);
    const total = Number(((await base.clone().count({ n: '*' }).first()) as unknown as { n: number | string })?.n ?? 0);
    const rows = await base
      .clone()
      .orderBy([
        { column: SNAPSHOT_SORT[q.sort], order: q.order },
        { column: 'id', order: q.order },
      ])
      .offset((q.page - 1) * q.limit)
      .limit(q.limit);
    return { items: rows.map(toSnapshot), total };
  }

  /** The organization's own snapshots (general ones, shared by every organization, are not counted). */
  async countOwn(organizationId: string): Promise<number> {
    const r = (await this.t.where({ organization_id: organizationId, general: false }).count({ n: '*' }).first()) as
      { n: number | string } | undefined;
    return Number(r?.n ?? 0);
  }

  async insert(row: SnapshotRow): Promise<void> {
    await this.t.insert(row);
  }

  async patch(id: string, fields: Partial<SnapshotRow>): Promise<void> {
    await this.t.where({ id }).update(fields);
  }

  async remove(id: string): Promise<void> {
    await this.t.where({ id }).delete();
  }

  /** Every snapshot of an organization being deleted, in the transaction that deletes it. */
  async removeAllOf(organizationId: string, trx: Knex.Transaction): Promise<void> {
    await trx('snapshots').where('organization_id', organizationId).delete();
  }
}

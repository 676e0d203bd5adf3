// Store access for sandboxes. Every query a caller can reach is scoped by
// organization; the unscoped ones are for the reconciler only and say so.
import type { Knex } from 'knex';
import { AppError } from '../../common/errors.js';
import type { Store } from '../store/db.js';
import type { SandboxRow } from '../store/models.js';
import { toSandbox, type Sandbox } from './model.js';
import type { DesiredState } from './states.js';
import { SORT_COLUMNS, type ListFilter, type ListPage } from './query.js';
import { claimInTransaction } from '../warmpool/repo.js';
export { SORT_COLUMNS, type ListFilter, type ListPage, type SortKey } from './query.js';

export class LeaseLost extends Error {
  constructor(id: string) {
    super(`lost the reconcile lease of sandbox ${id}`);
  }
}

const encodeCursor = (v: unknown, id: string) => Buffer.from(JSON.stringify([v, id])).toString('base64url');
function decodeCursor(c: string): [unknown, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[1] === 'string') return v as [unknown, string];
  } catch {
    /* fall through */
  }
  throw new AppError('invalid_argument', 'cursor is not valid', {
    hint: 'pass the nextCursor value of a previous page unchanged',
  });
}

export class SandboxRepo {
  constructor(private readonly store: Store) {}

  private get knex(): Knex {
    return this.store.knex;
  }

  async labelsOf(ids: string[], trx?: Knex.Transaction): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (!ids.length) return out;
    const rows = await this.store.SandboxLabel.query(trx).whereIn('sandbox_id', ids);
    for (const r of rows) {
      const m = out.get(r.sandbox_id) ?? {};
      m[r.key] = r.value;
      out.set(r.sandbox_id, m);
    }
    return out;
  }

  private async hydrate(rows: SandboxRow[], trx?: Knex.Transaction): Promise<Sandbox[]> {
    const labels = await this.labelsOf(
      rows.map((r) => r.id),
      trx,
    );
    return rows.map((r) => toSandbox(r, labels.get(r.id) ?? {}));
  }

  async insert(
    row: Partial<SandboxRow>,
    labels: Record<string, string>,
    idempotency?: { key: string; hash: string; now: number },
  ): Promise<Sandbox> {
    return (await this.insertClaiming(row, labels, idempotency, null))!;
  }

  /**
   * Inserts the sandbox and, in the same transaction, claims warm-pool member
   * `member` (whose id the row carries): null, with nothing written, when the
   * member was no longer ready (another create, a retirement).
   */
  async insertClaiming(
    row: Partial<SandboxRow>,
    labels: Record<string, string>,
    idempotency: { key: string; hash: string; now: number } | undefined,
    member: string | null,
  ): Promise<Sandbox | null> {
    return this.knex.transaction(async (trx) => {
      if (member && !(await claimInTransaction(trx, member))) return null;
      await this.store.Sandbox.query(trx).insert(row);
      const entries = Object.entries(labels);
      if (entries.length)
        await trx('sandbox_labels').insert(entries.map(([key, value]) => ({ sandbox_id: row.id!, key, value })));
      if (idempotency) {
        await this.store.Idempotency.query(trx).insert({
          organization_id: row.organization_id!,
          key: idempotency.key,
          request_hash: idempotency.hash,
          sandbox_id: row.id!,
          created_at: idempotency.now,
        });
      }
      // Read back for the store's defaults; the labels are the ones just written.
      const created = await this.store.Sandbox.query(trx).findById(row.id!);
      return toSandbox(created!, labels);
    });
  }

  async findIdempotent(organizationId: string, key: string): Promise<{ sandboxId: string; hash: string } | null> {
    const r = await this.store.Idempotency.query().findById([organizationId, key]);
    return r ? { sandboxId: r.sandbox_id, hash: r.request_hash } : null;
  }

  /** `labels: false` skips the labels query (the toolbox hot path never reads them; they come back empty). */
  async get(organizationId: string, idOrName: string, opts: { labels?: boolean } = {}): Promise<Sandbox | null> {
    const row = await this.store.Sandbox.query()
      .where('organization_id', organizationId)
      .andWhere((q) => q.where('id', idOrName).orWhere('name', idOrName))
      .orderByRaw('case when id = ? then 0 else 1 end', [idOrName])
      .first();
    if (!row) return null;
    return opts.labels === false ? toSandbox(row, {}) : (await this.hydrate([row]))[0]!;
  }

  /** Unscoped: for the reconciler and internal bookkeeping only. */
  async getById(id: string): Promise<Sandbox | null> {
    const row = await this.store.Sandbox.query().findById(id);
    return row ? (await this.hydrate([row]))[0]! : null;
  }

  async nameTaken(organizationId: string, name: string): Promise<boolean> {
    return !!(await this.store.Sandbox.query().where({ organization_id: organizationId, name }).first());
  }

  async list(
    organizationId: string,
    f: ListFilter,
    page: ListPage,
  ): Promise<{ items: Sandbox[]; nextCursor: string | null; total: number }> {
    const col = SORT_COLUMNS[page.sort];
    const base = this.store.Sandbox.query().where('sandboxes.organization_id', organizationId);
    if (!f.includeDestroyed) base.whereNot('state', 'destroyed');
    if (f.states?.length) base.whereIn('state', f.states);
    if (f.ids?.length) base.whereIn('id', f.ids);
    if (f.name) base.where('name', 'like', `%${f.name.replace(/[%_\\]/g, (c) => '\\' + c)}%`);
    if (f.images?.length) base.where((q) => q.whereIn('image', f.images!).orWhereIn('snapshot', f.images!));
    if (f.minCpu !== undefined) base.where('cpu', '>=', f.minCpu);
    if (f.maxCpu !== undefined) base.where('cpu', '<=', f.maxCpu);
    if (f.minMemory !== undefined) base.where('memory', '>=', f.minMemory);
    if (f.maxMemory !== undefined) base.where('memory', '<=', f.maxMemory);
    if (f.minDisk !== undefined) base.where('disk', '>=', f.minDisk);
    if (f.maxDisk !== undefined) base.where('disk', '<=', f.maxDisk);
    if (f.isPublic !== undefined) base.where('public', f.isPublic);
    if (f.isRecoverable !== undefined) base.where('recoverable', f.isRecoverable);
    if (f.createdAfter) base.where('created_at', '>=', f.createdAfter.getTime());
    if (f.createdBefore) base.where('created_at', '<=', f.createdBefore.getTime());
    if (f.activityAfter) base.where('last_activity_at', '>=', f.activityAfter.getTime());
    if (f.activityBefore) base.where('last_activity_at', '<=', f.activityBefore.getTime());
    for (const [k, v] of Object.entries(f.labels ?? {})) {
      base.whereExists((q) =>
        q
          .select(this.knex.raw('1'))
          .from('sandbox_labels')
          .whereRaw('sandbox_labels.sandbox_id = sandboxes.id')
          .andWhere('sandbox_labels.key', k)
          .andWhere('sandbox_labels.value', v),
      );
    }
    const total = Number(
      ((await base.clone().clearOrder().count({ n: '*' }).first()) as unknown as { n: number | string })?.n ?? 0,
    );
    const q = base.clone();
    if (page.cursor) {
      const [v, id] = decodeCursor(page.cursor);
      const op = page.order === 'asc' ? '>' : '<';
      q.where((w) =>
        w
          .where(col, op, v as string | number)
          .orWhere((x) => x.where(col, v as string | number).andWhere('id', op, id)),
      );
    }
    const rows = await q
      .orderBy([
        { column: col, order: page.order },
        { column: 'id', order: page.order },
      ])
      .limit(page.limit + 1);
    const more = rows.length > page.limit;
    const pageRows = rows.slice(0, page.limit);
    const last = pageRows[pageRows.length - 1];
    return {
      items: await this.hydrate(pageRows),
      nextCursor: more && last ? encodeCursor((last as unknown as Record<string, unknown>)[col], last.id) : null,
      total,
    };
  }

  /** Sets the desired state if it still is what the caller read (no lost updates between requests). */
  async setDesired(id: string, desired: DesiredState, expected: DesiredState, now: number): Promise<boolean> {
    const n = await this.store.Sandbox.query()
      .patch({ desired_state: desired, updated_at: now })
      .where({ id, desired_state: expected });
    return n > 0;
  }

  async patch(id: string, fields: Partial<SandboxRow>): Promise<void> {
    await this.store.Sandbox.query().patch(fields).where({ id });
  }

  async replaceLabels(id: string, labels: Record<string, string>, now: number): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await this.store.SandboxLabel.query(trx).delete().where({ sandbox_id: id });
      const entries = Object.entries(labels);
      if (entries.length)
        await trx('sandbox_labels').insert(entries.map(([key, value]) => ({ sandbox_id: id, key, value })));
      await this.store.Sandbox.query(trx).patch({ updated_at: now }).where({ id });
    });
  }

  async touch(id: string, now: number): Promise<void> {
    await this.store.Sandbox.query()
      .patch({ last_activity_at: now })
      .where('id', id)
      .andWhere('last_activity_at', '<', now);
  }

  /** Takes a fence token: writes from older holders of the lease fail from now on. */
  async bumpFence(id: string): Promise<number | null> {
    // One statement: the increment and the value it produced (SQLite ≥ 3.35 and PostgreSQL both return it).
    const rows = (await this.knex('sandboxes').where({ id }).increment('fence', 1).returning('fence')) as {
      fence: number | string;
    }[];
    return rows.length ? Number(rows[0]!.fence) : null;
  }

  async fencedPatch(id: string, fence: number, fields: Partial<SandboxRow>): Promise<void> {
    const n = await this.store.Sandbox.query().patch(fields).where({ id, fence });
    if (!n) throw new LeaseLost(id);
  }

  async fencedDelete(id: string, fence: number): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await this.store.SandboxLabel.query(trx).delete().where({ sandbox_id: id });
      await this.store.Idempotency.query(trx).delete().where({ sandbox_id: id });
      const n = await this.store.Sandbox.query(trx).delete().where({ id, fence });
      if (!n) throw new LeaseLost(id);
    });
  }

  /** Unscoped, for metrics: how many sandboxes are in each state. */
  async countByState(): Promise<Record<string, number>> {
    type Row = { state: string; n: number | string };
    const rows = (await this.knex('sandboxes').select('state').count({ n: '*' }).groupBy('state')) as Row[];
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /**
   * Unscoped, for metrics: when the longest-waiting sandbox not yet in its
   * desired state last changed (epoch ms; null when all are settled). Errors
   * are settled: the reconciler gave up on them.
   */
  async oldestUnsettled(): Promise<number | null> {
    const row = (await this.knex('sandboxes')
      .whereRaw('state <> desired_state')
      .whereNotIn('state', ['error', 'build_failed'])
      .min({ t: 'updated_at' })
      .first()) as { t: number | string | null } | undefined;
    return row?.t === null || row?.t === undefined ? null : Number(row.t);
  }

  /** Unscoped, for metrics: cores and GiB of memory of started sandboxes, per runner. */
  async allocatedByRunner(): Promise<{ runnerId: string; cpu: number; memoryGiB: number }[]> {
    type Row = { runner_id: string; cpu: number | string; memory: number | string };
    const rows = (await this.knex('sandboxes')
      .where({ state: 'started' })
      .select('runner_id')
      .sum({ cpu: 'cpu', memory: 'memory' })
      .groupBy('runner_id')) as Row[];
    return rows.map((r) => ({ runnerId: r.runner_id, cpu: Number(r.cpu), memoryGiB: Number(r.memory) }));
  }

  /** Unscoped: every sandbox of one runner, for sweeps and the reaper. */
  async allForRunner(runnerId: string): Promise<Sandbox[]> {
    return this.hydrate(await this.store.Sandbox.query().where({ runner_id: runnerId }));
  }
}

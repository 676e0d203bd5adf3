// Store access for sandboxes. Every query a caller can reach is scoped by
// organization; the unscoped ones are for the reconciler only and say so.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import { decodeRow, encodeRow, type SandboxRow } from './row.js';
import { toSandbox, type Sandbox } from './model.js';
import type { DesiredState } from './states.js';
import { applyFilter, decodeCursor, encodeCursor, SORT_COLUMNS, type ListFilter, type ListPage } from './query.js';
import { claimInTransaction } from '../warmpool/repo.js';
export { SORT_COLUMNS, type ListFilter, type ListPage, type SortKey } from './query.js';

export class LeaseLost extends Error {
  constructor(id: string) {
    super(`lost the reconcile lease of sandbox ${id}`);
  }
}

/** The secrets a sandbox receives: references (env name, secret id and name), never values. */
type SecretRefs = NonNullable<SandboxRow['secrets']>;

export class SandboxRepo {
  constructor(private readonly store: Store) {}

  private get knex(): Knex {
    return this.store.knex;
  }

  private rows(trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.knex)('sandboxes');
  }

  async labelsOf(ids: string[], trx?: Knex.Transaction): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (!ids.length) return out;
    const rows = (await (trx ?? this.knex)('sandbox_labels').whereIn('sandbox_id', ids)) as {
      sandbox_id: string;
      key: string;
      value: string;
    }[];
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
      await this.rows(trx).insert(encodeRow(row));
      const entries = Object.entries(labels);
      if (entries.length)
        await trx('sandbox_labels').insert(entries.map(([key, value]) => ({ sandbox_id: row.id!, key, value })));
      const volumeIds = [...new Set((row.volumes ?? []).map((v) => v.volumeId))];
      if (volumeIds.length)
        await trx('sandbox_volumes').insert(volumeIds.map((volume_id) => ({ sandbox_id: row.id!, volume_id })));
      if (idempotency) {
        await trx('idempotency_keys').insert({
          organization_id: row.organization_id!,
          key: idempotency.key,
          request_hash: idempotency.hash,
          sandbox_id: row.id!,
          created_at: idempotency.now,
        });
      }
      // Read back for the store's defaults; the labels are the ones just written.
      const created = decodeRow(await this.rows(trx).where({ id: row.id! }).first());
      return toSandbox(created, labels);
    });
  }

  async findIdempotent(organizationId: string, key: string): Promise<{ sandboxId: string; hash: string } | null> {
    const r = (await this.knex('idempotency_keys').where({ organization_id: organizationId, key }).first()) as
      { sandbox_id: string; request_hash: string } | undefined;
    return r ? { sandboxId: r.sandbox_id, hash: r.request_hash } : null;
  }

  /** `labels: false` skips the labels query (the toolbox hot path never reads them; they come back empty). */
  async get(organizationId: string, idOrName: string, opts: { labels?: boolean } = {}): Promise<Sandbox | null> {
    const raw = (await this.rows()
      .where('organization_id', organizationId)
      .andWhere((q) => q.where('id', idOrName).orWhere('name', idOrName))
      .orderByRaw('case when id = ? then 0 else 1 end', [idOrName])
      .first()) as Record<string, unknown> | undefined;
    if (!raw) return null;
    const row = decodeRow(raw);
    return opts.labels === false ? toSandbox(row, {}) : (await this.hydrate([row]))[0]!;
  }

  /** Unscoped: for the reconciler and internal bookkeeping only. */
  async getById(id: string): Promise<Sandbox | null> {
    const raw = (await this.rows().where({ id }).first()) as Record<string, unknown> | undefined;
    return raw ? (await this.hydrate([decodeRow(raw)]))[0]! : null;
  }

  async nameTaken(organizationId: string, name: string): Promise<boolean> {
    return !!(await this.rows().where({ organization_id: organizationId, name }).select('id').first());
  }

  async list(
    organizationId: string,
    f: ListFilter,
    page: ListPage,
  ): Promise<{ items: Sandbox[]; nextCursor: string | null; total: number }> {
    const col = SORT_COLUMNS[page.sort];
    const base = this.rows().where('sandboxes.organization_id', organizationId);
    applyFilter(base, f);
    const total = Number(
      ((await base.clone().clearOrder().count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0,
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
    const rows = (
      (await q
        .orderBy([
          { column: col, order: page.order },
          { column: 'id', order: page.order },
        ])
        .limit(page.limit + 1)) as Record<string, unknown>[]
    ).map(decodeRow);
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
    const n = await this.rows()
      .where({ id, desired_state: expected })
      .update({ desired_state: desired, updated_at: now });
    return n > 0;
  }

  async patch(id: string, fields: Partial<SandboxRow>): Promise<void> {
    await this.rows().where({ id }).update(encodeRow(fields));
  }

  async replaceLabels(id: string, labels: Record<string, string>, now: number): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('sandbox_labels').where({ sandbox_id: id }).delete();
      const entries = Object.entries(labels);
      if (entries.length)
        await trx('sandbox_labels').insert(entries.map(([key, value]) => ({ sandbox_id: id, key, value })));
      await this.rows(trx).where({ id }).update({ updated_at: now });
    });
  }

  async touch(id: string, now: number): Promise<void> {
    await this.rows().where('id', id).andWhere('last_activity_at', '<', now).update({ last_activity_at: now });
  }

  /** Takes a fence token: writes from older holders of the lease fail from now on. */
  async bumpFence(id: string): Promise<number | null> {
    // One statement: the increment and the value it produced (SQLite ≥ 3.35 and PostgreSQL both return it).
    const rows = (await this.rows().where({ id }).increment('fence', 1).returning('fence')) as {
      fence: number | string;
    }[];
    return rows.length ? Number(rows[0]!.fence) : null;
  }

  async fencedPatch(id: string, fence: number, fields: Partial<SandboxRow>): Promise<void> {
    const n = await this.rows().where({ id, fence }).update(encodeRow(fields));
    if (!n) throw new LeaseLost(id);
  }

  async fencedDelete(id: string, fence: number): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('sandbox_labels').where({ sandbox_id: id }).delete();
      await trx('idempotency_keys').where({ sandbox_id: id }).delete();
      await trx('sandbox_volumes').where({ sandbox_id: id }).delete();
      const n = await this.rows(trx).where({ id, fence }).delete();
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

  /** Unscoped: every sandbox of these runners, for sweeps and the reaper. */
  async allForRunners(runnerIds: string[]): Promise<Sandbox[]> {
    if (!runnerIds.length) return [];
    const rows = (await this.rows().whereIn('runner_id', runnerIds)) as Record<string, unknown>[];
    return this.hydrate(rows.map(decodeRow));
  }

  /** Unscoped: the runner a sandbox was placed on, or null when there is no such sandbox. */
  async runnerOf(id: string): Promise<string | null> {
    const row = (await this.rows().where({ id }).first('runner_id')) as { runner_id: string } | undefined;
    return row?.runner_id ?? null;
  }

  /**
   * Unscoped, for placement: per runner, the cores and memory of sandboxes
   * meant to run (desired started) and the disk of every sandbox it holds.
   */
  async loadByRunner(): Promise<Map<string, { cpu: number; memoryGiB: number; diskGiB: number; sandboxes: number }>> {
    type Num = number | string;
    type Row = { runner_id: string; cpu: Num; memory: Num; disk: Num; n: Num };
    const rows = (await this.knex('sandboxes')
      .select('runner_id')
      .sum({ cpu: this.knex.raw("CASE WHEN desired_state = 'started' THEN cpu ELSE 0 END") })
      .sum({ memory: this.knex.raw("CASE WHEN desired_state = 'started' THEN memory ELSE 0 END") })
      .sum({ disk: 'disk' })
      .count({ n: '*' })
      .groupBy('runner_id')) as Row[];
    return new Map(
      rows.map((r) => [
        r.runner_id,
        { cpu: Number(r.cpu), memoryGiB: Number(r.memory), diskGiB: Number(r.disk), sandboxes: Number(r.n) },
      ]),
    );
  }

  /** Names of the organization's sandboxes that mount the volume (any state until their row is gone). */
  async mounting(organizationId: string, volumeId: string): Promise<string[]> {
    const rows = (await this.knex('sandboxes')
      .join('sandbox_volumes', 'sandbox_volumes.sandbox_id', 'sandboxes.id')
      .where({ 'sandboxes.organization_id': organizationId, 'sandbox_volumes.volume_id': volumeId })
      .orderBy('sandboxes.name')
      .select('sandboxes.name')) as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** How many of the organization's live sandboxes were made from snapshot `name` or run `image`. */
  async countUsingImage(organizationId: string, name: string, image: string): Promise<number> {
    const r = (await this.knex('sandboxes')
      .where({ organization_id: organizationId })
      .whereNot('desired_state', 'destroyed')
      .andWhere((q) => q.where('snapshot', name).orWhere('image', image))
      .count({ n: '*' })
      .first()) as { n: number | string } | undefined;
    return Number(r?.n ?? 0);
  }

  /** Unscoped, for the build cache: whether any sandbox not yet destroyed runs image `ref`. */
  async imageInUse(ref: string): Promise<boolean> {
    const r = await this.knex('sandboxes').where('image', ref).whereNot('state', 'destroyed').select('id').first();
    return !!r;
  }

  /** What the organization's sandboxes use, for quotas, in one query (a create checks it on its hot path). */
  async usageOf(
    organizationId: string,
  ): Promise<{ sandboxes: number; runningSandboxes: number; cpu: number; memoryGiB: number; diskGiB: number }> {
    const k = this.knex;
    const started = (col: string) =>
      k.raw(`coalesce(sum(case when desired_state = 'started' then ${col} else 0 end), 0)`);
    const r = (await k('sandboxes')
      .where('organization_id', organizationId)
      .whereNot('desired_state', 'destroyed')
      .select({ n: k.raw('count(*)'), running: started('1'), cpu: started('cpu') })
      .select({ memory: started('memory'), disk: started('disk') })
      .first()) as Record<string, unknown> | undefined;
    const num = (v: unknown) => Number(v ?? 0) || 0;
    return {
      sandboxes: num(r?.n),
      runningSandboxes: num(r?.running),
      cpu: num(r?.cpu),
      memoryGiB: num(r?.memory),
      diskGiB: num(r?.disk),
    };
  }

  /** How many rows the organization still has, whatever their state (an organization is deleted empty). */
  async countIn(organizationId: string): Promise<number> {
    const r = (await this.knex('sandboxes').where('organization_id', organizationId).count({ n: '*' }).first()) as
      { n: number | string } | undefined;
    return Number(r?.n ?? 0);
  }

  /** Unscoped, for the lifetime sweep: every sandbox not being destroyed, with its age's start. */
  async liveCreatedAt(): Promise<{ id: string; organizationId: string; createdAt: number }[]> {
    const rows = (await this.knex('sandboxes')
      .whereNot('desired_state', 'destroyed')
      .select('id', 'organization_id', 'created_at')) as { id: string; organization_id: string; created_at: unknown }[];
    return rows.map((r) => ({ id: r.id, organizationId: r.organization_id, createdAt: Number(r.created_at) }));
  }

  /** Unscoped: a sandbox's name, or null once its row is gone (usage keeps the name). */
  async nameOf(id: string): Promise<string | null> {
    const r = (await this.knex('sandboxes').where({ id }).select('name').first()) as { name?: string } | undefined;
    return r?.name ?? null;
  }

  /** Unscoped: the secrets the sandbox receives (references, never values). */
  async secretRefs(id: string): Promise<SecretRefs> {
    const row = (await this.knex('sandboxes').where({ id }).select('secrets').first()) as
      { secrets?: string | null } | undefined;
    return row?.secrets ? (JSON.parse(row.secrets) as SecretRefs) : [];
  }

  async setSecretRefs(id: string, refs: SecretRefs): Promise<void> {
    await this.knex('sandboxes')
      .where({ id })
      .update({ secrets: refs.length ? JSON.stringify(refs) : null });
  }
}

// Store access for build output (build_logs): numbered chunks per build.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

interface BuildLogRow {
  build_id: string;
  seq: number;
  chunk: string;
}

export class BuildLogRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<BuildLogRow> {
    return this.store.knex<BuildLogRow>('build_logs');
  }

  async append(buildId: string, seq: number, chunk: string): Promise<void> {
    await this.t.insert({ build_id: buildId, seq, chunk });
  }

  /** The chunks of `buildId` numbered above `afterSeq`, in order. */
  async after(buildId: string, afterSeq: number): Promise<{ seq: number; chunk: string }[]> {
    const rows = (await this.t
      .where('build_id', buildId)
      .andWhere('seq', '>', afterSeq)
      .orderBy('seq', 'asc')) as BuildLogRow[];
    return rows.map((r) => ({ seq: Number(r.seq), chunk: r.chunk }));
  }
}

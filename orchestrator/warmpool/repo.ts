// Store access for warm-pool members. Unscoped by organization on purpose:
// members belong to none. Every state change is conditional on the state it
// leaves, so a claim (sandboxes/repo.ts: delete where ready, in the insert's
// transaction), a retirement and the fill never act on the same member twice.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';

export type MemberState = 'starting' | 'ready' | 'retiring';

export interface MemberRow {
  id: string;
  runner_id: string;
  class_key: string;
  image: string;
  image_id: string;
  state: MemberState;
  created_at: number;
  updated_at: number;
}

export interface SizedSnapshot {
  image_name: string;
  entrypoint: string | null;
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  warm_pool: number;
}

export class WarmPoolRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<MemberRow> {
    return this.store.knex<MemberRow>('warm_pool');
  }

  async insert(row: MemberRow): Promise<void> {
    await this.t.insert(row);
  }

  /** Moves a member from one state to another; false when it was no longer in `from`. */
  async transition(id: string, from: MemberState, to: MemberState, now: number): Promise<boolean> {
    return (await this.t.where({ id, state: from }).update({ state: to, updated_at: now })) > 0;
  }

  async remove(id: string): Promise<void> {
    await this.t.where({ id }).del();
  }

  all(runnerId: string): Promise<MemberRow[]> {
    return this.t.where({ runner_id: runnerId }).orderBy('created_at', 'asc');
  }

  /** Ready members of these classes made from `imageId`, oldest first. */
  ready(runnerId: string, classKeys: string[], imageId: string): Promise<MemberRow[]> {
    return this.t
      .where({ runner_id: runnerId, state: 'ready', image_id: imageId })
      .whereIn('class_key', classKeys)
      .orderBy('created_at', 'asc')
      .limit(8);
  }

  /** Snapshots with a pool size set (all organizations): which classes to keep warm. */
  sizedSnapshots(): Promise<SizedSnapshot[]> {
    return this.store
      .knex('snapshots')
      .whereNotNull('warm_pool')
      .where('state', 'active')
      .select('image_name', 'entrypoint', 'cpu', 'memory', 'disk', 'warm_pool');
  }
}

/**
 * Claims member `id` inside the transaction that inserts its sandbox: true
 * when this transaction took it (it was ready), false when another claim,
 * a retirement or a crash recovery got there first.
 */
export async function claimInTransaction(trx: Knex.Transaction, id: string): Promise<boolean> {
  return (await trx('warm_pool').where({ id, state: 'ready' }).del()) > 0;
}

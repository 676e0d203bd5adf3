// Store access for remote runners (the `runners` table).
import type { Store } from '../store/db.js';
import type { RunnerRow, StoredRunnerState } from './model.js';

export class RunnerRepo {
  constructor(private readonly store: Store) {}

  private get t() {
    return this.store.knex<RunnerRow>('runners');
  }

  async list(): Promise<RunnerRow[]> {
    return this.t.orderBy([{ column: 'created_at', order: 'asc' }, { column: 'id' }]);
  }

  async get(id: string): Promise<RunnerRow | null> {
    return (await this.t.where({ id }).first()) ?? null;
  }

  async byName(name: string): Promise<RunnerRow | null> {
    return (await this.t.where({ name }).first()) ?? null;
  }

  async byTokenHash(hash: string): Promise<RunnerRow | null> {
    return (await this.t.where({ token_hash: hash }).first()) ?? null;
  }

  async insert(row: RunnerRow): Promise<void> {
    await this.t.insert(row);
  }

  async setState(id: string, state: StoredRunnerState): Promise<boolean> {
    return (await this.t.where({ id }).update({ state })) > 0;
  }

  /** Stores what the runner reported; false when its row is gone (removed meanwhile). */
  async report(id: string, fields: Partial<Pick<RunnerRow, 'capacity' | 'usage' | 'version'>>, at: number) {
    return (await this.t.where({ id }).update({ ...fields, last_seen_at: at })) > 0;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.t.where({ id }).delete()) > 0;
  }
}

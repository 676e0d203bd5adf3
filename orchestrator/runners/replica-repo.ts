// Store access for the API replicas that take runner links (the `api_replicas` table).
import type { Store } from '../store/db.js';

export interface ReplicaRow {
  id: string;
  url: string;
  seen_at: number;
}

export class ReplicaRepo {
  constructor(private readonly store: Store) {}

  private get t() {
    return this.store.knex<ReplicaRow>('api_replicas');
  }

  /** Records that replica `id` (at `url`) is alive at `at`. */
  async beat(id: string, url: string, at: number): Promise<void> {
    await this.t.insert({ id, url, seen_at: at }).onConflict('id').merge(['url', 'seen_at']);
  }

  /** Replicas seen at or after `since`, by id. */
  async seenSince(since: number): Promise<ReplicaRow[]> {
    return this.t.where('seen_at', '>=', since).orderBy('id');
  }

  /** Forgets replicas not seen since `before` (they stopped without saying so). */
  async prune(before: number): Promise<void> {
    await this.t.where('seen_at', '<', before).delete();
  }

  async remove(id: string): Promise<void> {
    await this.t.where({ id }).delete();
  }
}

// The API replicas that take runner links. Each replica keeps a row with its
// id and BERTH_REPLICA_URL fresh in the store (every heartbeat), and reads the
// rows seen within the runner timeout: that list goes to each linked runner,
// which links to every replica on it (docs/scale-out.md, "Replicas and
// links"). The store, not the Redis bus, because it is this installation's
// own: installations sharing one Redis never list each other's replicas.
// Without Redis there is one replica: it is not started, and lists itself.
import type { Clock, Timer } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { LinkReplica } from '../../common/wire/runner-link.js';
import type { Store } from '../store/db.js';
import { ReplicaRepo, type ReplicaRow } from './replica-repo.js';

export interface ReplicaRegistryDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** This replica. */
  self: LinkReplica;
  /** A replica not seen for this long is gone (the runner timeout). */
  ttlMs: number;
  /** How often this replica renews its row and reads the others. */
  intervalMs: number;
}

export class ReplicaRegistry {
  private readonly repo: ReplicaRepo;
  private known: LinkReplica[];
  private timer: Timer | null = null;
  private readonly listeners = new Set<(list: LinkReplica[]) => void>();
  private ticking: Promise<void> | null = null;
  private readonly warned = new Set<string>();

  constructor(private readonly d: ReplicaRegistryDeps) {
    this.repo = new ReplicaRepo(d.store);
    this.known = [d.self];
  }

  get self(): LinkReplica {
    return this.d.self;
  }

  /** Starts advertising this replica (once it takes runner links). */
  start(): void {
    if (this.timer) return;
    this.timer = this.d.clock.setInterval(() => void this.refresh(), this.d.intervalMs).unref();
    void this.refresh();
  }

  /** The live replicas as last read (this one included), by id. */
  list(): LinkReplica[] {
    return this.known;
  }

  /** Calls `f` with the new list whenever a replica joins or leaves. */
  onChange(f: (list: LinkReplica[]) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** Renews this replica's row and reads the live ones; one at a time. */
  refresh(): Promise<void> {
    this.ticking ??= this.tick().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async tick(): Promise<void> {
    try {
      const now = this.d.clock.now().getTime();
      await this.repo.beat(this.d.self.id, this.d.self.url, now);
      await this.repo.prune(now - this.d.ttlMs);
      const rows = await this.repo.seenSince(now - this.d.ttlMs);
      this.checkUrls(rows, now);
      const list = rows.map((r) => ({ id: r.id, url: r.url }));
      if (!list.some((r) => r.id === this.d.self.id)) list.push(this.d.self);
      if (JSON.stringify(list) === JSON.stringify(this.known)) return;
      this.d.log.info('API replicas', { replicas: list.map((r) => `${r.id} ${r.url}`).join(', ') });
      this.known = list;
      for (const f of this.listeners) f(list);
    } catch (e) {
      this.d.log.warn('replica heartbeat failed', { error: (e as Error).message });
    }
  }

  /**
   * Replicas that renew their rows at the same time under one URL (a load
   * balancer's, say): a runner reaches only one of them there. A replica
   * restarted on its URL is not one of them: its predecessor's row went stale.
   */
  private checkUrls(rows: ReplicaRow[], now: number): void {
    const fresh = rows.filter((r) => Number(r.seen_at) >= now - 2 * this.d.intervalMs);
    for (const url of new Set(fresh.map((r) => r.url))) {
      const ids = fresh.filter((r) => r.url === url).map((r) => r.id);
      if (ids.length < 2 || this.warned.has(url)) continue;
      this.warned.add(url);
      this.d.log.warn('several API replicas advertise one URL: runners reach only one of them there', {
        url,
        replicas: ids.join(','),
        hint: 'set BERTH_REPLICA_URL on each replica to an address of that replica itself',
      });
    }
  }

  /** Stops advertising and removes this replica's row, so runners drop their link to it at once. */
  async close(): Promise<void> {
    if (!this.timer) return;
    this.timer.clear();
    this.timer = null;
    this.listeners.clear();
    await this.ticking;
    await this.repo.remove(this.d.self.id).catch(() => {});
  }
}

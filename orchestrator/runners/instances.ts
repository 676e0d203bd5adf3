// One `berth runner` process per token. Each process dials with a random
// instance id; the lease `runner-instance:<runnerId>` names the instance that
// holds the runner (Redis with REDIS_URL, so every replica agrees; in process
// otherwise). A replica's links renew it on every heartbeat; a replica that
// did not take it (another replica did) takes it over when it lapses, so it
// lives as long as any replica hears from that instance, and lapses within
// the runner timeout once none does.
import type { Lease, Locks } from '../lock/index.js';

const key = (runnerId: string) => `runner-instance:${runnerId}`;

export class RunnerInstances {
  /** Leases this replica took, by runner. */
  private readonly held = new Map<string, { instance: string; lease: Lease }>();

  constructor(
    private readonly locks: Locks,
    private readonly ttlMs: number,
  ) {}

  /** Takes or renews the runner for `instance`; false while another instance holds it. */
  async claim(runnerId: string, instance: string): Promise<boolean> {
    const mine = this.held.get(runnerId);
    if (mine?.instance === instance && (await mine.lease.extend(this.ttlMs))) return true;
    const lease = await this.locks.acquire(key(runnerId), this.ttlMs, instance);
    if (lease) {
      // Whatever this replica held before has lapsed, or it would not have been free.
      this.held.set(runnerId, { instance, lease });
      return true;
    }
    return (await this.locks.owner(key(runnerId))) === instance;
  }

  /** Who holds the runner now (an instance id), for the refusal's details. */
  holder(runnerId: string): Promise<string | null> {
    return this.locks.owner(key(runnerId)).catch(() => null);
  }

  /**
   * This replica's last link of `instance` closed: lets go of the lease if this
   * replica took it, so a restarted runner links at once (other replicas still
   * linked to it take it again on their next heartbeat).
   */
  async release(runnerId: string, instance: string): Promise<void> {
    const mine = this.held.get(runnerId);
    if (mine?.instance !== instance) return;
    this.held.delete(runnerId);
    await mine.lease.release();
  }

  async close(): Promise<void> {
    const all = [...this.held.values()];
    this.held.clear();
    await Promise.all(all.map((h) => h.lease.release()));
  }
}

// Fixed-window counters: in process by default, in Redis when REDIS_URL is
// set so every replica shares one count per key and window. A window's key
// carries its index, so counters never need resetting and expire on their own.
import type { Redis } from 'ioredis';

export interface Hit {
  /** Requests counted in this window, including this one. */
  count: number;
  /** When the window ends (epoch ms). */
  resetAt: number;
}

export interface Counters {
  readonly kind: 'memory' | 'redis';
  /** Counts one request for `key` in the window holding `now`. */
  hit(key: string, windowMs: number, now: number): Promise<Hit>;
  /**
   * Keeps this installation's counters apart from others sharing the store
   * (several Berth installs on one Redis); replicas of one install pass the
   * same name.
   */
  namespace(name: string): void;
  close(): Promise<void>;
}

const windowOf = (windowMs: number, now: number) => Math.floor(now / windowMs);

export class MemoryCounters implements Counters {
  readonly kind = 'memory' as const;
  private readonly counts = new Map<string, { window: number; count: number }>();
  private lastSweep = 0;

  async hit(key: string, windowMs: number, now: number): Promise<Hit> {
    this.sweep(windowMs, now);
    const w = windowOf(windowMs, now);
    const cur = this.counts.get(key);
    const count = cur && cur.window === w ? cur.count + 1 : 1;
    this.counts.set(key, { window: w, count });
    return { count, resetAt: (w + 1) * windowMs };
  }

  /** Forgets past windows now and then, so one-off keys (client IPs) do not pile up. */
  private sweep(windowMs: number, now: number): void {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    const w = windowOf(windowMs, now);
    for (const [k, v] of this.counts) if (v.window < w) this.counts.delete(k);
  }

  namespace(): void {}

  async close(): Promise<void> {
    this.counts.clear();
  }
}

export class RedisCounters implements Counters {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;
  private prefix: string;

  constructor(
    /** Owned by the caller, who closes it. */
    redis: Redis,
    private readonly base = 'berth:rl:',
  ) {
    this.prefix = base;
    this.redis = redis;
  }

  namespace(name: string): void {
    this.prefix = `${this.base}${name}:`;
  }

  async hit(key: string, windowMs: number, now: number): Promise<Hit> {
    const w = windowOf(windowMs, now);
    const k = `${this.prefix}${key}:${w}`;
    const r = await this.redis
      .multi()
      .incr(k)
      .pexpire(k, windowMs * 2)
      .exec();
    const count = Number(r?.[0]?.[1] ?? 1);
    return { count, resetAt: (w + 1) * windowMs };
  }

  async close(): Promise<void> {
    /* the connection is its owner's to close (boot/redis.ts) */
  }
}

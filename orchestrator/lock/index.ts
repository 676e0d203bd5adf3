// Per-key mutual exclusion with expiring leases: in-process by default, Redis
// (SET NX PX + compare-and-delete) when REDIS_URL is set. Safety does not rest
// on the lease alone: every write of the holder is fenced in the store.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { systemClock, type Clock, type Timer } from '../../common/clock.js';

export interface Lease {
  /** Extends the lease; false if it was lost. */
  extend(ttlMs: number): Promise<boolean>;
  /**
   * Extends the lease by `ttlMs` every third of it until it is released, on
   * the time its expiry is measured in (the injected clock in process, real
   * time for Redis, whose keys expire by its own clock).
   */
  keepAlive(ttlMs: number): void;
  /** Releases the lease (and stops its keep-alive). */
  release(): Promise<void>;
}

/** Extends `lease` every third of `ttlMs` on `clock`; returns the timer. */
const keepAliveOn = (clock: Clock, lease: Pick<Lease, 'extend'>, ttlMs: number): Timer =>
  clock.setInterval(() => void lease.extend(ttlMs).catch(() => {}), ttlMs / 3).unref();

export interface Locks {
  readonly kind: 'memory' | 'redis';
  /** `owner` names the holder (e.g. an API replica), for `owner(key)`. */
  acquire(key: string, ttlMs: number, owner?: string): Promise<Lease | null>;
  /** Who holds `key` now (the `owner` it was acquired with), or null when nobody does. */
  owner(key: string): Promise<string | null>;
  close(): Promise<void>;
}

export class MemoryLocks implements Locks {
  readonly kind = 'memory' as const;
  private readonly held = new Map<string, { token: string; until: number; owner: string }>();

  constructor(private readonly clock: Clock) {}

  async acquire(key: string, ttlMs: number, owner = ''): Promise<Lease | null> {
    const now = this.clock.now().getTime();
    const cur = this.held.get(key);
    if (cur && cur.until > now) return null;
    const token = randomBytes(8).toString('hex');
    this.held.set(key, { token, until: now + ttlMs, owner });
    let keep: Timer | null = null;
    const lease: Lease = {
      extend: async (ms) => {
        const c = this.held.get(key);
        if (!c || c.token !== token || c.until <= this.clock.now().getTime()) return false;
        c.until = this.clock.now().getTime() + ms;
        return true;
      },
      keepAlive: (ms) => {
        keep?.clear();
        keep = keepAliveOn(this.clock, lease, ms);
      },
      release: async () => {
        keep?.clear();
        if (this.held.get(key)?.token === token) this.held.delete(key);
      },
    };
    return lease;
  }

  async owner(key: string): Promise<string | null> {
    const cur = this.held.get(key);
    return cur && cur.until > this.clock.now().getTime() ? cur.owner : null;
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export class RedisLocks implements Locks {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  /** `redis` is owned by the caller, who closes it. */
  constructor(
    redis: Redis,
    private readonly prefix = 'berth:lock:',
  ) {
    this.redis = redis;
  }

  async acquire(key: string, ttlMs: number, owner = ''): Promise<Lease | null> {
    const k = this.prefix + key;
    // The value names the holder before the random part that makes releases safe.
    const token = `${owner}|${randomBytes(8).toString('hex')}`;
    const ok = await this.redis.set(k, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return null;
    let keep: Timer | null = null;
    const lease: Lease = {
      extend: async (ms) => (await this.redis.eval(EXTEND, 1, k, token, String(ms))) === 1,
      keepAlive: (ms) => {
        keep?.clear();
        // Redis expires the key in its own real time, so the keep-alive runs in real time too.
        keep = keepAliveOn(systemClock, lease, ms);
      },
      release: async () => {
        keep?.clear();
        await this.redis.eval(RELEASE, 1, k, token).catch(() => {});
      },
    };
    return lease;
  }

  async owner(key: string): Promise<string | null> {
    const v = await this.redis.get(this.prefix + key);
    return v === null ? null : v.slice(0, v.lastIndexOf('|'));
  }

  async close(): Promise<void> {
    /* the connection is its owner's to close (boot/redis.ts) */
  }
}

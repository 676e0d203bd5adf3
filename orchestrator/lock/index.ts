// Per-key mutual exclusion with expiring leases: in-process by default, Redis
// (SET NX PX + compare-and-delete) when REDIS_URL is set. Safety does not rest
// on the lease alone: every write of the holder is fenced in the store.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Lease {
  /** Extends the lease; false if it was lost. */
  extend(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

export interface Locks {
  readonly kind: 'memory' | 'redis';
  acquire(key: string, ttlMs: number): Promise<Lease | null>;
  close(): Promise<void>;
}

export class MemoryLocks implements Locks {
  readonly kind = 'memory' as const;
  private readonly held = new Map<string, { token: string; until: number }>();

  async acquire(key: string, ttlMs: number): Promise<Lease | null> {
    const now = Date.now();
    const cur = this.held.get(key);
    if (cur && cur.until > now) return null;
    const token = randomBytes(8).toString('hex');
    this.held.set(key, { token, until: now + ttlMs });
    return {
      extend: async (ms) => {
        const c = this.held.get(key);
        if (!c || c.token !== token) return false;
        c.until = Date.now() + ms;
        return true;
      },
      release: async () => {
        if (this.held.get(key)?.token === token) this.held.delete(key);
      },
    };
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
  constructor(redis: Redis, private readonly prefix = 'berth:lock:') {
    this.redis = redis;
  }

  async acquire(key: string, ttlMs: number): Promise<Lease | null> {
    const k = this.prefix + key;
    const token = randomBytes(8).toString('hex');
    const ok = await this.redis.set(k, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return null;
    return {
      extend: async (ms) => (await this.redis.eval(EXTEND, 1, k, token, String(ms))) === 1,
      release: async () => {
        await this.redis.eval(RELEASE, 1, k, token).catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    /* the connection is its owner's to close (boot/redis.ts) */
  }
}

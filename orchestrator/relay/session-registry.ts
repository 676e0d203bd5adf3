// Records of live protocol sessions (MCP) with an idle expiry, shared by every
// replica so a session started on one can be served by another. In-process by
// default; Redis keys with a TTL when REDIS_URL is set.
import type { Redis } from 'ioredis';
import type { Clock } from '../../common/clock.js';

export interface SessionRecord {
  id: string;
  organizationId: string;
  /** API key that opened the session; later requests must use the same one. */
  keyId: string | null;
  userId: string;
  /** Anything the frontend needs to rebuild the session elsewhere (e.g. the MCP initialize request). */
  state: Record<string, unknown>;
  createdAt: number;
}

export interface SessionRegistry {
  readonly kind: 'memory' | 'redis';
  put(rec: SessionRecord, ttlMs: number): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Extends the expiry; false if the session is gone. */
  touch(id: string, ttlMs: number): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export class MemorySessionRegistry implements SessionRegistry {
  readonly kind = 'memory' as const;
  private readonly rows = new Map<string, { rec: SessionRecord; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  private now(): number {
    return this.clock.now().getTime();
  }

  async put(rec: SessionRecord, ttlMs: number): Promise<void> {
    this.rows.set(rec.id, { rec: structuredClone(rec), expiresAt: this.now() + ttlMs });
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const row = this.rows.get(id);
    if (!row) return undefined;
    if (row.expiresAt < this.now()) {
      this.rows.delete(id);
      return undefined;
    }
    return structuredClone(row.rec);
  }

  async touch(id: string, ttlMs: number): Promise<boolean> {
    if (!(await this.get(id))) return false;
    this.rows.get(id)!.expiresAt = this.now() + ttlMs;
    return true;
  }

  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  async close(): Promise<void> {
    this.rows.clear();
  }
}

export class RedisSessionRegistry implements SessionRegistry {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  constructor(
    /** Owned by the caller, who closes it. */
    redis: Redis,
    private readonly prefix = 'berth:session:',
  ) {
    this.redis = redis;
  }

  async put(rec: SessionRecord, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + rec.id, JSON.stringify(rec), 'PX', Math.ceil(ttlMs));
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const raw = await this.redis.get(this.prefix + id);
    return raw ? (JSON.parse(raw) as SessionRecord) : undefined;
  }

  async touch(id: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.pexpire(this.prefix + id, Math.ceil(ttlMs))) === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + id)) === 1;
  }

  async close(): Promise<void> {
    /* the connection is its owner's to close (boot/redis.ts) */
  }
}

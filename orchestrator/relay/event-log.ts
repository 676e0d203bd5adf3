// Append-only logs of stream events with replay and tailing, so a client that
// lost a stream (an MCP SSE stream) can resume it from its last event id on any
// replica. In-process by default; Redis streams when REDIS_URL is set.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Bus } from '../bus/index.js';
import type { Clock } from '../../common/clock.js';

export interface LoggedEvent {
  /** Entry id, increasing within one log. */
  id: string;
  data: string;
}

export interface EventLog {
  readonly kind: 'memory' | 'redis';
  /** Appends an entry; the log expires `ttlMs` after its last append. */
  append(key: string, data: string, ttlMs: number): Promise<string>;
  /** Entries after `afterId` (exclusive), or all entries, oldest first. */
  range(key: string, afterId?: string): Promise<LoggedEvent[]>;
  /** Id of the newest entry, if any. */
  last(key: string): Promise<string | undefined>;
  /** Calls `onAppend` after every append to `key` (on any replica). */
  watch(key: string, onAppend: () => void): () => void;
  drop(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Oldest entries beyond this many per log are dropped (resumption is for short gaps). */
const MAX_ENTRIES = 10_000;
/** In process, a log also keeps at most this many bytes (large tool results add up). */
const MAX_MEMORY_BYTES = 64 << 20;

export class MemoryEventLog implements EventLog {
  readonly kind = 'memory' as const;
  private readonly logs = new Map<string, { seq: number; events: LoggedEvent[]; bytes: number; expiresAt: number }>();
  private readonly ee = new EventEmitter().setMaxListeners(0);
  private sweptAt = 0;

  constructor(private readonly clock: Clock) {}

  async append(key: string, data: string, ttlMs: number): Promise<string> {
    const now = this.clock.now().getTime();
    this.sweep(now);
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = { seq: 0, events: [], bytes: 0, expiresAt: 0 }));
    const id = String(++log.seq);
    log.events.push({ id, data });
    log.bytes += data.length;
    while (log.events.length > 1 && (log.events.length > MAX_ENTRIES || log.bytes > MAX_MEMORY_BYTES))
      log.bytes -= log.events.shift()!.data.length;
    log.expiresAt = now + ttlMs;
    this.ee.emit(key);
    return id;
  }

  async range(key: string, afterId?: string): Promise<LoggedEvent[]> {
    const log = this.live(key);
    if (!log) return [];
    const after = afterId === undefined ? 0 : Number(afterId);
    return log.events.filter((e) => Number(e.id) > after);
  }

  async last(key: string): Promise<string | undefined> {
    return this.live(key)?.events.at(-1)?.id;
  }

  watch(key: string, onAppend: () => void): () => void {
    this.ee.on(key, onAppend);
    return () => this.ee.off(key, onAppend);
  }

  async drop(key: string): Promise<void> {
    this.logs.delete(key);
  }

  async close(): Promise<void> {
    this.logs.clear();
    this.ee.removeAllListeners();
  }

  private live(key: string) {
    const log = this.logs.get(key);
    if (log && log.expiresAt < this.clock.now().getTime()) {
      this.logs.delete(key);
      return undefined;
    }
    return log;
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    for (const [k, v] of this.logs) if (v.expiresAt < now) this.logs.delete(k);
  }
}

/**
 * Redis streams (XADD/XRANGE) hold the entries; a bus message per append wakes
 * tailers on every replica, which then read what is new with XRANGE.
 */
export class RedisEventLog implements EventLog {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  constructor(
    /** Owned by the caller, who closes it. */
    redis: Redis,
    private readonly bus: Bus,
    private readonly prefix = 'berth:evlog:',
  ) {
    this.redis = redis;
  }

  async append(key: string, data: string, ttlMs: number): Promise<string> {
    const k = this.prefix + key;
    const res = await this.redis
      .multi()
      .xadd(k, 'MAXLEN', '~', String(MAX_ENTRIES), '*', 'd', data)
      .pexpire(k, Math.ceil(ttlMs))
      .exec();
    const id = res?.[0]?.[1];
    if (typeof id !== 'string') throw new Error(`XADD failed: ${String(res?.[0]?.[0] ?? 'no reply')}`);
    await this.bus.publish(`evlog.${key}`, id).catch(() => {});
    return id;
  }

  async range(key: string, afterId?: string): Promise<LoggedEvent[]> {
    const rows = await this.redis.xrange(this.prefix + key, afterId === undefined ? '-' : `(${afterId}`, '+');
    return rows.map(([id, fields]) => ({ id, data: fields[fields.indexOf('d') + 1] ?? '' }));
  }

  async last(key: string): Promise<string | undefined> {
    const rows = await this.redis.xrevrange(this.prefix + key, '+', '-', 'COUNT', 1);
    return rows[0]?.[0];
  }

  watch(key: string, onAppend: () => void): () => void {
    return this.bus.subscribe(`evlog.${key}`, () => onAppend());
  }

  async drop(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    /* the connection is its owner's to close (boot/redis.ts) */
  }
}

// Publish/subscribe for events between components and replicas: in-process by
// default, Redis pub/sub when REDIS_URL is set.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

export type Handler = (payload: unknown) => void;

export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish(topic: string, payload: unknown): Promise<void>;
  subscribe(topic: string, handler: Handler): () => void;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly ee = new EventEmitter().setMaxListeners(0);

  async publish(topic: string, payload: unknown): Promise<void> {
    this.ee.emit(topic, payload);
  }

  subscribe(topic: string, handler: Handler): () => void {
    this.ee.on(topic, handler);
    return () => this.ee.off(topic, handler);
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {
    this.ee.removeAllListeners();
  }
}

export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly local = new EventEmitter().setMaxListeners(0);
  private readonly counts = new Map<string, number>();

  /** `pub` may be shared; `sub` is this bus's own (a subscribed connection takes no other commands). Both owned by the caller. */
  constructor(pub: Redis, sub: Redis, prefix = 'berth:') {
    this.pub = pub;
    this.sub = sub;
    this.prefix = prefix;
    this.sub.on('message', (channel: string, message: string) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch {
        return;
      }
      this.local.emit(channel.slice(this.prefix.length), payload);
    });
  }
  private readonly prefix: string;

  async publish(topic: string, payload: unknown): Promise<void> {
    await this.pub.publish(this.prefix + topic, JSON.stringify(payload));
  }

  subscribe(topic: string, handler: Handler): () => void {
    const n = this.counts.get(topic) ?? 0;
    if (n === 0) void this.sub.subscribe(this.prefix + topic).catch(() => {});
    this.counts.set(topic, n + 1);
    this.local.on(topic, handler);
    return () => {
      this.local.off(topic, handler);
      const m = (this.counts.get(topic) ?? 1) - 1;
      this.counts.set(topic, m);
      if (m === 0) void this.sub.unsubscribe(this.prefix + topic).catch(() => {});
    };
  }

  async ping(): Promise<void> {
    await this.pub.ping();
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
  }
}

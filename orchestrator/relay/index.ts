// The state that long-lived protocol sessions (MCP over Streamable HTTP) share
// across replicas: session records, resumable stream logs, and cross-replica
// signals (session closed, request cancelled). Frontends reach it through the
// facade (`orch.relay`), never Redis directly.
import type { Redis } from 'ioredis';
import type { Bus } from '../bus/index.js';
import type { Clock } from '../../common/clock.js';
import { MemoryEventLog, RedisEventLog, type EventLog } from './event-log.js';
import { MemorySessionRegistry, RedisSessionRegistry, type SessionRegistry } from './session-registry.js';

export type { EventLog, LoggedEvent } from './event-log.js';
export type { SessionRecord, SessionRegistry } from './session-registry.js';

export class Relay {
  constructor(
    readonly events: EventLog,
    readonly sessions: SessionRegistry,
    private readonly bus: Bus,
  ) {}

  /** In-process stores (one replica). */
  static memory(bus: Bus, clock: Clock): Relay {
    return new Relay(new MemoryEventLog(clock), new MemorySessionRegistry(clock), bus);
  }

  /** Redis-backed stores, so any replica can resume or serve a session. */
  static redis(redis: Redis, bus: Bus): Relay {
    return new Relay(new RedisEventLog(redis, bus), new RedisSessionRegistry(redis), bus);
  }

  get kind(): 'memory' | 'redis' {
    return this.sessions.kind;
  }

  /** Signals every replica (including this one). */
  publish(topic: string, payload: unknown): Promise<void> {
    return this.bus.publish(`relay.${topic}`, payload);
  }

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    return this.bus.subscribe(`relay.${topic}`, handler);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.sessions.close()]);
  }
}

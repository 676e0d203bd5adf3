// The Redis connections of one server, built and closed in one place and handed
// to the bus, locks, rate-limit counters and relay stores. Commands share one
// connection (ioredis pipelines them); the bus's subscriber has its own, since
// a connection in subscribe mode takes no other commands.
import { Redis } from 'ioredis';

export class RedisConnections {
  readonly commands: Redis;
  readonly subscriber: Redis;

  /** Named `berth:<runner id>:…` so CLIENT LIST tells whose they are. */
  constructor(url: string, runnerId: string) {
    this.commands = new Redis(url, { maxRetriesPerRequest: 2, connectionName: `berth:${runnerId}:commands` });
    // A subscriber retries forever: its subscriptions are restored when Redis comes back.
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null, connectionName: `berth:${runnerId}:subscriber` });
    // Failures surface on the commands that hit them; the clients' own error events only repeat them.
    this.commands.on('error', () => {});
    this.subscriber.on('error', () => {});
  }

  close(): void {
    this.commands.disconnect();
    this.subscriber.disconnect();
  }
}

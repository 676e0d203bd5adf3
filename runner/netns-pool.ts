// Started network namespaces, ready for sandboxes to join. Creating a
// container's network namespace and joining it to the Berth bridge is most of
// what `docker start` costs (hundreds of ms); a container that joins an
// existing namespace (`container:<holder>` mode) starts in a fraction of that.
// Each holder is a tiny static `pause` process in an image of its own: once
// claimed it is renamed after its sandbox and lives and dies with it.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Logger } from '../common/log.js';
import type { ContainerRuntime } from './runtime/interface.js';

/** The static holder binary built with the daemon's native parts, or null. */
export function findPauseBinary(): string | null {
  try {
    return createRequire(import.meta.url).resolve('@berth/daemon-native/build/pause');
  } catch {
    return null;
  }
}

const HOLDER_PREFIX = 'berth-netns-';
export const holderName = (sandboxId: string) => `${HOLDER_PREFIX}${sandboxId}`;
const POOL_PREFIX = `${HOLDER_PREFIX}pool-`;

export interface NetnsPoolOptions {
  runtime: ContainerRuntime;
  runnerId: string;
  network: string;
  /** How many unclaimed holders to keep ready; 0 turns the pool off. */
  size: number;
  /** The static pause binary; the pool stays off without it. */
  binary: string | null;
  log: Logger;
}

export class NetnsPool {
  private readonly ready: string[] = [];
  private image: string | null = null;
  private filling: Promise<void> | null = null;
  /** Sandbox starts in progress (`during`); the pool refills only when there are none. */
  private inFlight = 0;
  private starting: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly o: NetnsPoolOptions) {}

  get enabled(): boolean {
    return this.image !== null && !this.closed;
  }

  /** How many holders are ready to be claimed now. */
  get readyCount(): number {
    return this.ready.length;
  }

  /**
   * In the background (start-up never waits for it): removes holders a crashed
   * process left unclaimed, then fills the pool.
   */
  init(): void {
    if (this.o.size <= 0 || !this.o.binary || this.starting) return;
    const binary = this.o.binary;
    this.starting = (async () => {
      try {
        const image = await this.o.runtime.holders.ensureImage(binary);
        const stale = (await this.o.runtime.holders.list(this.o.runnerId)).filter((n) => n.startsWith(POOL_PREFIX));
        await Promise.all(stale.map((n) => this.o.runtime.holders.remove(n)));
        this.image = image;
      } catch (e) {
        this.o.log.warn('no pre-made network namespaces: sandboxes start without them', {
          error: (e as Error).message,
        });
        return;
      }
      this.fill();
    })();
  }

  /**
   * The holder for a sandbox's new container: the one it already has (a create
   * cut short, a restore redone), else a ready one renamed after it; null when
   * none is ready (the caller starts the container with its own namespace).
   */
  async claim(sandboxId: string): Promise<string | null> {
    if (!this.enabled) return null;
    const mine = holderName(sandboxId);
    // A stopped one is started with its sandbox (the runtime's start does it).
    if ((await this.o.runtime.holders.running(mine)) !== null) return mine;
    for (let name = this.ready.shift(); name; name = this.ready.shift()) {
      this.fill();
      if (await this.o.runtime.holders.rename(name, mine)) return mine;
    }
    this.fill();
    return null;
  }

  /** Runs a sandbox start; holders are made again once no start is in progress. */
  async during<T>(start: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await start();
    } finally {
      if (--this.inFlight === 0) this.fill();
    }
  }

  /** Removes the sandbox's holder (its container is gone). */
  release(sandboxId: string): Promise<void> {
    return this.o.runtime.holders.remove(holderName(sandboxId));
  }

  /** Removes holders of sandboxes that exist nowhere; `known` is asked only after the holders are listed. */
  async reap(known: () => Promise<Set<string>>): Promise<number> {
    const names = (await this.o.runtime.holders.list(this.o.runnerId)).filter(
      (n) => n.startsWith(HOLDER_PREFIX) && !n.startsWith(POOL_PREFIX),
    );
    if (!names.length) return 0;
    const ids = await known();
    let n = 0;
    for (const name of names) {
      if (ids.has(name.slice(HOLDER_PREFIX.length))) continue;
      await this.o.runtime.holders.remove(name);
      n++;
    }
    return n;
  }

  private fill(): void {
    if (this.filling || !this.enabled) return;
    this.filling = (async () => {
      while (this.enabled && this.inFlight === 0 && this.ready.length < this.o.size) {
        const name = `${POOL_PREFIX}${this.o.runnerId}-${randomBytes(6).toString('hex')}`;
        try {
          await this.o.runtime.holders.create(name, this.image!, this.o.network, this.o.runnerId);
        } catch (e) {
          this.o.log.warn('could not make a network namespace ahead of time', { error: (e as Error).message });
          await this.o.runtime.holders.remove(name).catch(() => {});
          return;
        }
        if (this.closed) await this.o.runtime.holders.remove(name).catch(() => {});
        else this.ready.push(name);
      }
    })().finally(() => (this.filling = null));
  }

  /** Stops filling and removes every unclaimed holder. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    await this.filling;
    for (const name of this.ready.splice(0)) await this.o.runtime.holders.remove(name).catch(() => {});
  }
}

// Puts an image on a remote runner that lacks it, from this host's engine (the
// local runner), without a rebuild: through the cluster registry when
// BERTH_REGISTRY_URL is set (tag and push here, pull and re-tag there), else
// as a `docker save` tar streamed over the runner's link into `docker load`
// (the link's flow control paces the local engine; nothing holds the tar).
// One transfer per (runner, image) at a time: later callers join it.
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Clock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { RunnerClient } from '../../common/wire/runner.js';

export interface ImageDistributorDeps {
  /** The runner beside this API (its engine has the images). */
  local: RunnerClient;
  /** BERTH_REGISTRY_URL: `host:port` every engine can pull from and this one push to. */
  registryUrl?: string;
  log: Logger;
  clock: Clock;
}

type Emit = (line: string) => void;

interface Flight {
  done: Promise<void>;
  listeners: Set<Emit>;
  /** The line sent last: a caller joining the transfer late starts from it. */
  last?: string;
}

/** Progress lines at most this often (plus the first and the last). */
const PROGRESS_EVERY_MS = 1000;

/** Decimal units, as Docker prints them: 312 MB, 1.5 GB. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 || n >= 9.95 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

/**
 * The name `ref` gets in the cluster registry: `<registry>/<name>:<tag>`. A
 * registry host in `ref` stays as a path part (`ghcr.io/a/b:1` →
 * `<registry>/ghcr.io/a/b:1`, a port spelled `-5000`); a digest becomes the tag.
 */
export function registryRefFor(registry: string, ref: string): string {
  const at = ref.indexOf('@');
  const colon = ref.lastIndexOf(':');
  const [name, tag] =
    at >= 0
      ? [ref.slice(0, at), ref.slice(at + 1).replace(/[^\w.-]/g, '-')]
      : colon > ref.lastIndexOf('/')
        ? [ref.slice(0, colon), ref.slice(colon + 1)]
        : [ref, 'latest'];
  return `${registry.replace(/\/+$/, '')}/${name.replace(/:/g, '-')}:${tag.slice(0, 128)}`;
}

export class ImageDistributor {
  private readonly flights = new Map<string, Flight>();

  constructor(private readonly d: ImageDistributorDeps) {}

  /**
   * Makes `ref` present on `target` (a remote runner), from the local engine.
   * Concurrent callers for the same (runner, image) share one transfer; each
   * gets its progress lines (at most about one a second) through `onProgress`,
   * a late one starting with the line sent last.
   */
  async ensure(target: RunnerClient, ref: string, onProgress?: Emit): Promise<void> {
    const key = `${target.id}\n${ref}`;
    let flight = this.flights.get(key);
    if (!flight) {
      const f: Flight = { done: Promise.resolve(), listeners: new Set() };
      const emit: Emit = (line) => {
        f.last = line;
        for (const l of f.listeners) l(line);
      };
      f.done = this.transfer(target, ref, emit).finally(() => this.flights.delete(key));
      this.flights.set(key, (flight = f));
    } else if (onProgress && flight.last !== undefined) onProgress(flight.last);
    if (onProgress) flight.listeners.add(onProgress);
    try {
      await flight.done;
    } finally {
      if (onProgress) flight.listeners.delete(onProgress);
    }
  }

  private async transfer(target: RunnerClient, ref: string, emit: Emit): Promise<void> {
    if (await target.inspectImage(ref)) return;
    const local = await this.d.local.inspectImage(ref);
    if (!local)
      throw new AppError('invalid_argument', `image ${ref} is on neither runner ${target.id} nor this server`, {
        hint: `make it present on the server's Docker engine (\`docker pull ${ref}\`, a snapshot build, or \`berth setup\` for the base image); it is sent to runners from there`,
        reason: 'IMAGE_NOT_FOUND',
      });
    const t0 = this.d.clock.now().getTime();
    const log = this.d.log.child({ runnerId: target.id, image: ref });
    log.info(this.d.registryUrl ? 'sending an image through the registry' : 'sending an image over the link');
    if (this.d.registryUrl) await this.viaRegistry(target, ref, this.d.registryUrl, local.size ?? 0, emit);
    else await this.viaLink(target, ref, local.size ?? 0, emit);
    if (!(await target.inspectImage(ref)))
      throw new AppError('unavailable', `runner ${target.id} took the image but has no ${ref} afterwards`, {
        hint: 'the image changed on the server while it was sent: try again',
      });
    const seconds = ((this.d.clock.now().getTime() - t0) / 1000).toFixed(1);
    emit(`image ${ref} is on runner ${target.id} (${formatBytes(local.size ?? 0)} in ${seconds} s)`);
    log.info('image sent', { seconds });
  }

  /** A throttle for one transfer's lines: the first goes out, then at most one per PROGRESS_EVERY_MS. */
  private throttle(emit: Emit): Emit {
    let last = -Infinity;
    return (line) => {
      const now = this.d.clock.now().getTime();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      emit(line);
    };
  }

  private async viaLink(target: RunnerClient, ref: string, size: number, emit: Emit): Promise<void> {
    const tick = this.throttle(emit);
    const of = size ? ` of ${formatBytes(size)}` : '';
    tick(`sending image ${ref} to runner ${target.id}: 0 B${of}`);
    const tar = await this.d.local.saveImage(ref);
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sent += chunk.length;
        tick(`sending image ${ref} to runner ${target.id}: ${formatBytes(sent)}${of}`);
        cb(null, chunk);
      },
    });
    // The local engine's own failure ends the tar; a failure of the runner ends only the load.
    const reading = pipeline(tar, counter).catch(() => {});
    try {
      await target.loadImage(counter);
    } catch (e) {
      const failure = tar.errored;
      tar.destroy();
      await reading;
      if (failure)
        throw new AppError('unavailable', `this server's engine stopped sending image ${ref}: ${failure.message}`, {
          hint: 'check the Docker engine of the server, then try again',
        });
      throw e;
    }
    await reading;
  }

  private async viaRegistry(
    target: RunnerClient,
    ref: string,
    registry: string,
    size: number,
    emit: Emit,
  ): Promise<void> {
    const remote = registryRefFor(registry, ref);
    const tick = this.throttle(emit);
    tick(`pushing image ${ref} to ${remote}`);
    await this.d.local.pushImage(ref, remote, (sent, total) =>
      tick(`pushing image ${ref} to ${registry}: ${formatBytes(sent)} of ${formatBytes(total || size)}`),
    );
    const t0 = this.d.clock.now().getTime();
    const waiting = this.d.clock.setInterval(() => {
      const s = Math.round((this.d.clock.now().getTime() - t0) / 1000);
      emit(`runner ${target.id} is pulling image ${ref} from ${registry} (${s} s)`);
    }, PROGRESS_EVERY_MS);
    emit(`runner ${target.id} is pulling image ${ref} from ${registry}`);
    try {
      await target.pullImageAs(remote, ref);
    } catch (e) {
      const err = e as AppError;
      if (err.code === 'unavailable') throw err;
      throw new AppError('unavailable', `runner ${target.id} could not pull ${remote}: ${err.message}`, {
        hint: `the runner's Docker engine must reach ${registry} (BERTH_REGISTRY_URL) and trust it: 127.0.0.0/8 is trusted without TLS, any other address needs TLS or --insecure-registry`,
        reason: 'REGISTRY_PULL_FAILED',
      });
    } finally {
      waiting.clear();
    }
  }
}

// Build output, kept in the store (so any replica can serve it) in numbered
// chunks, and announced on the bus as it is written so followers see it live.
import type { Bus } from '../bus/index.js';
import type { Store } from '../store/db.js';
import { BuildLogRepo } from './build-logs-repo.js';

/** Most bytes kept per build; the rest is dropped with a note. */
const MAX_LOG_BYTES = 4 << 20;
/** Output is written in batches this often (a build prints many short lines). */
const FLUSH_MS = 150;
export const BUILD_LOG_TOPIC = 'build.log';
export const BUILD_STATE_TOPIC = 'build.state';

export interface BuildLogEvent {
  buildId: string;
  seq: number;
  chunk: string;
}

/** Appends output of one build in batches; `close` flushes the rest. */
export class BuildLogWriter {
  private seq = 0;
  private bytes = 0;
  private pending = '';
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly logs: BuildLogRepo;

  constructor(
    store: Store,
    private readonly bus: Bus,
    private readonly buildId: string,
  ) {
    this.logs = new BuildLogRepo(store);
  }

  write(text: string): void {
    if (this.bytes >= MAX_LOG_BYTES) return;
    this.bytes += Buffer.byteLength(text);
    this.pending += this.bytes >= MAX_LOG_BYTES ? `${text}\n[build log truncated at ${MAX_LOG_BYTES} bytes]\n` : text;
    // eslint-disable-next-line no-restricted-globals -- wall clock: a write-batching window for the database
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const chunk = this.pending;
    this.pending = '';
    if (!chunk) return this.writing;
    const seq = ++this.seq;
    this.writing = this.writing.then(async () => {
      await this.logs.append(this.buildId, seq, chunk).catch(() => {});
      await this.bus
        .publish(BUILD_LOG_TOPIC, { buildId: this.buildId, seq, chunk } satisfies BuildLogEvent)
        .catch(() => {});
    });
    return this.writing;
  }
}

export async function readBuildLog(
  store: Store,
  buildId: string,
  afterSeq = 0,
): Promise<{ seq: number; chunk: string }[]> {
  return new BuildLogRepo(store).after(buildId, afterSeq);
}

/**
 * Streams a build's log to `write`: what exists, then (with `follow`) new
 * output as it comes, until the build ends or `signal` aborts.
 */
export async function followBuildLog(o: {
  store: Store;
  bus: Bus;
  buildId: string;
  follow: boolean;
  signal: AbortSignal;
  finished: () => Promise<boolean>;
  write: (chunk: string) => void;
}): Promise<void> {
  let last = 0;
  const drain = async () => {
    for (const r of await readBuildLog(o.store, o.buildId, last)) {
      if (r.seq <= last) continue;
      last = r.seq;
      o.write(r.chunk);
    }
  };
  if (!o.follow) return drain();
  let wake: (() => void) | null = null;
  const offLog = o.bus.subscribe(BUILD_LOG_TOPIC, (ev) => {
    if ((ev as BuildLogEvent).buildId === o.buildId) wake?.();
  });
  const offState = o.bus.subscribe(BUILD_STATE_TOPIC, (ev) => {
    if ((ev as { buildId: string }).buildId === o.buildId) wake?.();
  });
  try {
    while (!o.signal.aborted) {
      await drain();
      if (await o.finished()) {
        await drain();
        return;
      }
      // Woken by new output or a state change; a slow poll covers another replica's missed event.
      await new Promise<void>((resolve) => {
        // eslint-disable-next-line no-restricted-globals -- wall clock: polls the store for a bus event another replica may have lost
        const t = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
        o.signal.addEventListener('abort', () => wake?.(), { once: true });
      });
      wake = null;
    }
  } finally {
    offLog();
    offState();
  }
}

// Time is injected everywhere so tests advance it instead of sleeping: what
// Berth does over time (lifecycle timers, sweeps, leases, session expiry,
// sampling, activity re-marks) reads `now()` and schedules its timers here.
// The lint forbids Date.now, setTimeout and setInterval in orchestrator/ and
// runner/ outside this file; the few waits on another system's real time
// (socket deadlines, back-off, polling Docker) say why where they are.

/** A scheduled callback. Timers of the system clock keep the process alive unless unref'd. */
export interface Timer {
  /** Cancels it; safe to call more than once, and after it fired. */
  clear(): void;
  /** Lets the process exit while the timer is pending (Node's `unref`). */
  unref(): Timer;
}

export interface Clock {
  now(): Date;
  setTimeout(f: () => void, ms: number): Timer;
  setInterval(f: () => void, ms: number): Timer;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const nodeTimer = (h: NodeJS.Timeout, clear: (h: NodeJS.Timeout) => void): Timer => {
  const t: Timer = {
    clear: () => clear(h),
    unref: () => {
      h.unref();
      return t;
    },
  };
  return t;
};

function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      t.clear();
      reject(signal!.reason);
    };
    const t = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real time of this host. */
export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (f, ms) => nodeTimer(setTimeout(f, ms), clearTimeout),
  setInterval: (f, ms) => nodeTimer(setInterval(f, ms), clearInterval),
  sleep: (ms, signal) => sleepOn(systemClock, ms, signal),
};

interface Pending {
  id: number;
  at: number;
  every: number | null;
  f: () => void;
}

/**
 * Time that moves only when a test says so. `advance` fires every timer that
 * falls due, in order, with `now()` at its due time, and lets the work each
 * one starts run (microtasks and I/O callbacks) before the next fires.
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, Pending>();

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  setTimeout(f: () => void, ms: number): Timer {
    return this.schedule(f, ms, null);
  }

  setInterval(f: () => void, ms: number): Timer {
    return this.schedule(f, ms, Math.max(1, ms));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Timers waiting to fire (tests: "nothing is scheduled any more"). */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing what falls due on the way. Await it:
   * time reaches its target only once every due timer has fired.
   */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (let next = this.due(target); next; next = this.due(target)) {
      this.t = Math.max(this.t, next.at);
      if (next.every === null) this.timers.delete(next.id);
      else next.at += next.every;
      try {
        next.f();
      } catch {
        /* a timer's failure is its own business, as with Node's timers */
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    this.t = Math.max(this.t, target);
  }

  advanceMinutes(m: number): Promise<void> {
    return this.advance(m * 60_000);
  }

  private schedule(f: () => void, ms: number, every: number | null): Timer {
    const id = ++this.seq;
    this.timers.set(id, { id, at: this.t + Math.max(0, ms), every, f });
    const timer: Timer = { clear: () => void this.timers.delete(id), unref: () => timer };
    return timer;
  }

  /** The earliest timer due by `target` (the first scheduled among equals). */
  private due(target: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.timers.values()) if (p.at <= target && (!best || p.at < best.at)) best = p;
    return best;
  }
}

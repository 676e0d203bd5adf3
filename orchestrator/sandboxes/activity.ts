// Tracks toolbox calls in flight and records activity, so auto-stop measures
// idleness and never stops a sandbox in the middle of a call.
import type { Clock, Timer } from '../../common/clock.js';
import type { SandboxRepo } from './repo.js';

/** Activity is written at most this often per sandbox (it is a hot path). */
const WRITE_EVERY_MS = 5_000;
/**
 * While a call or connection is open, activity is re-marked this often: `busy`
 * only holds in this process, and another replica's auto-stop reads the stored
 * time (the shortest auto-stop interval is one minute).
 */
const REMARK_OPEN_MS = 20_000;

export class Activity {
  private readonly inflight = new Map<string, number>();
  private readonly lastWrite = new Map<string, number>();
  private readonly remark = new Map<string, Timer>();

  constructor(
    private readonly repo: SandboxRepo,
    private readonly clock: Clock,
  ) {}

  busy(id: string): boolean {
    return (this.inflight.get(id) ?? 0) > 0;
  }

  /** Marks the sandbox active now; returns a function that ends the call (and marks it again). */
  begin(id: string): () => void {
    this.inflight.set(id, (this.inflight.get(id) ?? 0) + 1);
    if (!this.remark.has(id)) {
      this.remark.set(id, this.clock.setInterval(() => void this.touch(id, true), REMARK_OPEN_MS).unref());
    }
    void this.touch(id);
    const began = this.clock.now().getTime();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.inflight.get(id) ?? 1) - 1;
      if (n <= 0) {
        this.inflight.delete(id);
        this.remark.get(id)?.clear();
        this.remark.delete(id);
      } else this.inflight.set(id, n);
      // A long call (a stream, a slow command) is activity until its end; a short one was recorded at its start.
      void this.touch(id, this.clock.now().getTime() - began >= WRITE_EVERY_MS);
    };
  }

  async touch(id: string, force = false): Promise<void> {
    const now = this.clock.now().getTime();
    const last = this.lastWrite.get(id) ?? 0;
    if (!force && now - last < WRITE_EVERY_MS && now >= last) return;
    this.lastWrite.set(id, now);
    await this.repo.touch(id, now).catch(() => {});
  }
}

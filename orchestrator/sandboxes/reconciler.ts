// Drives each sandbox's observed state toward its desired state through the
// runner, under a per-sandbox lease whose writes are fenced in the store. A
// kick reconciles one sandbox now; the sweep is the safety net, applies the
// auto-stop/archive/delete timers and reaps what the store does not know.
import { AppError } from '../../common/errors.js';
import { crashpoint } from '../../common/crashpoint.js';
import type { Clock, Timer } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { RunnerClient, SandboxRuntimeSpec } from '../../common/wire/runner.js';
import type { Bus } from '../bus/index.js';
import type { Locks } from '../lock/index.js';
import { SANDBOX_EVENTS, type Sandbox, type SandboxEvent } from './model.js';
import { plan, settled, type Step } from './plan.js';
import { LeaseLost, type SandboxRepo } from './repo.js';
import { canTransition, type DesiredState, type SandboxState } from './states.js';
import type { SandboxRow } from './row.js';

/** While another holder has the lease, look again this often (until the sandbox settles). */
const CONTENDED_RETRY_MS = 1_000;
const MAX_STEPS = 10;
/** `autoArchiveInterval: 0` means "the maximum". */
export const AUTO_ARCHIVE_MAX_MINUTES = 30 * 24 * 60;

export interface ReconcilerDeps {
  repo: SandboxRepo;
  runner: RunnerClient;
  /** The runners this replica reaches (the reaper covers them); the runner alone when omitted. */
  runners?: () => RunnerClient[];
  /** Every runner whose sandboxes are swept, reachable or not; `runners()` when omitted. */
  runnerIds?: () => Promise<string[]>;
  /**
   * Why a sandbox's runner is lost (not heard from for the runner timeout), or
   * null: its sandboxes then show `unknown` with that reason until it is back.
   */
  runnerLost?: (runnerId: string) => Promise<string | null>;
  locks: Locks;
  bus: Bus;
  clock: Clock;
  log: Logger;
  spec(s: Sandbox): SandboxRuntimeSpec;
  /** Toolbox calls in flight per sandbox: auto-stop never cuts one short. */
  busy(sandboxId: string): boolean;
  /** Whether `runnerId`'s engine enforces disk limits itself (else the sweep watches its sandboxes' usage). */
  diskLimitEnforced: (runnerId: string) => boolean;
  /** A crashed holder's lease blocks its sandboxes this long at most (renewed every third of it). */
  leaseMs: number;
  /** Ids of warm-pool members of this runner: they have containers but no sandbox row, and are no orphans. */
  poolIds?: () => Promise<string[]>;
  /** Images of sandboxes created from a Dockerfile or an image not yet on the host. */
  images?: SandboxImages;
}

/** How a sandbox's image comes to exist before its container (orchestrator/images/). */
export interface SandboxImages {
  /** Waits for the sandbox's build; calls `building` once it leaves the queue. Rejects with the build's failure. */
  awaitBuild(s: Sandbox, building: () => Promise<void>): Promise<void>;
  /** Pulls the sandbox's image with its organization's registry credentials. */
  pull(s: Sandbox): Promise<void>;
}

export class Reconciler {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private sweeping: Promise<void> | null = null;
  /** While a sweep runs: each runner's loss, read once for all its sandboxes the sweep kicks. */
  private lostInSweep: Map<string, Promise<string | null>> | null = null;
  private closed = false;

  constructor(private readonly d: ReconcilerDeps) {}

  /** Reconciles the sandbox soon; concurrent kicks coalesce. */
  kick(id: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const cur = this.running.get(id);
    if (cur) {
      this.again.add(id);
      return cur;
    }
    const p = (async () => {
      try {
        do {
          this.again.delete(id);
          await this.reconcile(id);
        } while (this.again.has(id) && !this.closed);
      } finally {
        this.running.delete(id);
      }
    })();
    this.running.set(id, p);
    return p;
  }

  private async reconcile(id: string): Promise<void> {
    const lease = await this.d.locks.acquire(`sandbox:${id}`, this.d.leaseMs).catch((e) => {
      this.d.log.warn('lock service unavailable', { error: (e as Error).message });
      return null;
    });
    if (!lease) {
      // Another replica works on it — or a crashed one whose lease has yet to
      // expire. Come back until the sandbox settles, so recovery never waits
      // for the next sweep.
      this.retryLater(id);
      return;
    }
    lease.keepAlive(this.d.leaseMs);
    try {
      const fence = await this.d.repo.bumpFence(id);
      if (fence === null) return;
      for (let i = 0; i < MAX_STEPS && !this.closed; i++) {
        const s = await this.d.repo.getById(id);
        if (!s) return;
        // Timers may change the desired state: read again only when they ran.
        const timed = s.state === 'stopped' || s.state === 'archived';
        if (timed) await this.applyTimers(s);
        const fresh = timed ? await this.d.repo.getById(id) : s;
        if (!fresh) return;
        const step = plan(fresh.state, fresh.desiredState);
        if (!step) return;
        if (!(await this.execute(fresh, step, fence))) return;
      }
    } catch (e) {
      if (e instanceof LeaseLost) this.d.log.debug(e.message);
      else this.d.log.error('reconcile failed', { sandboxId: id, error: (e as Error).message });
    } finally {
      await lease.release().catch(() => {});
    }
  }

  private readonly retries = new Map<string, Timer>();

  private retryLater(id: string): void {
    if (this.closed || this.retries.has(id)) return;
    const t = this.d.clock.setTimeout(
      () => {
        this.retries.delete(id);
        void this.d.repo.getById(id).then(
          (s) => {
            if (s && (!settled(s.state, s.desiredState) || s.state === 'started')) void this.kick(id);
          },
          () => {},
        );
      },
      CONTENDED_RETRY_MS + Math.floor(Math.random() * 250),
    );
    t.unref();
    this.retries.set(id, t);
  }

  /** Returns true when the loop should plan again. */
  private async execute(s: Sandbox, step: Step, fence: number): Promise<boolean> {
    const { runner } = this.d;
    if (step.op === 'verify' || step.op === 'observe') {
      let obs;
      try {
        obs = await runner.observe(s.id);
      } catch (e) {
        if (!isUnavailable(e)) throw e;
        // A lost runner: say so instead of showing the last state; it is observed again once back.
        const lost = await this.runnerLost(s.runnerId);
        if (lost && (s.state !== 'unknown' || s.errorReason !== lost))
          await this.setState(s, fence, 'unknown', { reason: lost, recoverable: true });
        return false; // engine or runner down: keep the recorded state
      }
      if (obs.running) {
        if (!obs.ready) {
          try {
            await runner.ensureStarted(this.d.spec(s)); // re-attach after a server restart
          } catch (e) {
            if (isUnavailable(e)) return false;
            await this.setState(s, fence, 'error', { reason: (e as Error).message, recoverable: true });
            return false;
          }
        }
        if (s.state !== 'started') await this.setState(s, fence, 'started');
        return false;
      }
      if (step.op === 'observe') {
        await this.setState(
          s,
          fence,
          obs.exists ? 'stopped' : obs.archived ? 'archived' : s.desiredState === 'started' ? 'creating' : 'stopped',
        );
        return true;
      }
      if (obs.exists) {
        const why = obs.oomKilled
          ? 'it ran out of memory (OOM-killed)'
          : `its main process exited with code ${obs.exitCode}`;
        await this.setState(s, fence, 'error', {
          reason: `the sandbox stopped unexpectedly: ${why}`,
          recoverable: true,
        });
      } else if (obs.archived) {
        await this.setState(s, fence, 'archived');
        return true;
      } else {
        await this.setState(s, fence, 'error', {
          reason: 'the sandbox container was removed outside Berth; starting it again creates a fresh filesystem',
          recoverable: true,
        });
      }
      return false;
    }

    if (step.op === 'build' || step.op === 'pull') return this.prepareImage(s, step.op, fence);

    if (s.state !== step.via) await this.setState(s, fence, step.via);
    const cur = { ...s, state: step.via as SandboxState };
    try {
      if (step.op === 'start') await runner.ensureStarted(this.d.spec(s));
      else if (step.op === 'pause') await runner.ensurePaused(s.id);
      else if (step.op === 'resume') await runner.ensureResumed(s.id);
      else if (step.op === 'stop') await runner.ensureStopped(s.id);
      else if (step.op === 'archive') await runner.ensureArchived(s.id);
      else await runner.ensureDestroyed(s.id);
    } catch (e) {
      if (isUnavailable(e)) {
        this.d.log.warn(`cannot ${step.op} sandbox now; will retry`, { sandboxId: s.id, error: (e as Error).message });
        return false;
      }
      const err = e as Error;
      const hint = e instanceof AppError && e.hint ? ` — ${e.hint}` : '';
      await this.setState(cur, fence, 'error', {
        reason: `${step.op} failed: ${err.message}${hint}`,
        recoverable: e instanceof AppError ? e.recoverable : true,
      });
      return false;
    }
    crashpoint(`reconcile:${step.op}:done`);
    if (step.op === 'destroy') {
      await this.d.repo.fencedDelete(s.id, fence);
      await this.publish(SANDBOX_EVENTS.stateUpdated, { ...cur, state: 'destroyed' }, cur.state);
      return false;
    }
    await this.setState(cur, fence, step.to);
    // Just started: nothing to verify (a request made meanwhile kicks again).
    return step.op !== 'start';
  }

  /** Builds or pulls the sandbox's image, records its config, and moves on to creating the container. */
  private async prepareImage(s: Sandbox, op: 'build' | 'pull', fence: number): Promise<boolean> {
    const images = this.d.images;
    let cur = s;
    try {
      if (!images) throw new AppError('not_implemented', 'this server cannot build or pull images');
      if (op === 'build') {
        await images.awaitBuild(s, async () => {
          if (cur.state === 'building_snapshot') return;
          await this.setState(cur, fence, 'building_snapshot');
          cur = { ...cur, state: 'building_snapshot' };
        });
      } else await images.pull(s);
    } catch (e) {
      if (isUnavailable(e)) {
        this.d.log.warn(`cannot ${op} the image now; will retry`, { sandboxId: s.id, error: (e as Error).message });
        this.retryLater(s.id);
        return false;
      }
      const hint = e instanceof AppError && e.hint ? ` — ${e.hint}` : '';
      await this.setState(cur, fence, op === 'build' ? 'build_failed' : 'error', {
        reason: `${(e as Error).message}${hint}`,
        recoverable: false,
      });
      return false;
    }
    const config = await this.d.runner.inspectImage(s.image);
    if (config) await this.d.repo.fencedPatch(s.id, fence, { image_config: config });
    await this.setState(cur, fence, 'creating');
    return true;
  }

  private async setState(
    s: Sandbox,
    fence: number,
    to: SandboxState,
    err?: { reason: string; recoverable: boolean },
  ): Promise<void> {
    if (!canTransition(s.state, to)) this.d.log.warn('unexpected transition', { sandboxId: s.id, from: s.state, to });
    const now = this.d.clock.now().getTime();
    const fields: Partial<SandboxRow> = { state: to, state_updated_at: now, updated_at: now };
    if (err) {
      fields.error_reason = err.reason;
      fields.recoverable = err.recoverable;
    } else if (to !== 'error') {
      fields.error_reason = null;
      fields.recoverable = false;
    }
    if (to === 'started') fields.last_activity_at = now; // a fresh start is activity: auto-stop counts from here
    await this.d.repo.fencedPatch(s.id, fence, fields);
    const after = (await this.d.repo.getById(s.id)) ?? { ...s, state: to };
    await this.publish(SANDBOX_EVENTS.stateUpdated, after, s.state);
  }

  private async publish(topic: string, sandbox: Sandbox, oldState: SandboxState): Promise<void> {
    const ev: SandboxEvent = { organizationId: sandbox.organizationId, sandbox, oldState, newState: sandbox.state };
    await this.d.bus
      .publish(topic, ev)
      .catch((e) => this.d.log.warn('event not published', { error: (e as Error).message }));
  }

  /** Auto-archive and auto-delete of stopped sandboxes (auto-stop is in the sweep). */
  private async applyTimers(s: Sandbox): Promise<void> {
    const now = this.d.clock.now().getTime();
    const since = now - s.stateUpdatedAt.getTime();
    const del = s.autoDeleteInterval;
    if (s.desiredState !== 'destroyed' && del >= 0 && since >= del * 60_000) {
      await this.timerSetsDesired(s, 'destroyed', now, 'auto-delete');
      return;
    }
    if (s.state === 'stopped' && s.desiredState === 'stopped') {
      const arch = s.autoArchiveInterval === 0 ? AUTO_ARCHIVE_MAX_MINUTES : s.autoArchiveInterval;
      if (since >= arch * 60_000) await this.timerSetsDesired(s, 'archived', now, 'auto-archive');
    }
  }

  /** A timer asks for a new desired state; listeners (SDK notifications, UI) hear about it. */
  private async timerSetsDesired(s: Sandbox, to: DesiredState, now: number, why: string): Promise<void> {
    if (!(await this.d.repo.setDesired(s.id, to, s.desiredState, now))) return;
    this.d.log.info(why, { sandboxId: s.id });
    const after = await this.d.repo.getById(s.id);
    if (after)
      await this.d.bus
        .publish(SANDBOX_EVENTS.desiredStateUpdated, {
          organizationId: s.organizationId,
          sandbox: after,
          oldDesiredState: s.desiredState,
          newDesiredState: to,
        })
        .catch(() => {});
  }

  /**
   * Runs `f` on the sandbox under its lease (no reconcile runs meanwhile),
   * showing `during` as its state and restoring the state it had afterwards.
   * For operations on a settled sandbox that change no desired state (commits).
   */
  async exclusive<T>(id: string, during: SandboxState, f: (s: Sandbox) => Promise<T>): Promise<T> {
    const lease = await this.d.locks.acquire(`sandbox:${id}`, this.d.leaseMs);
    if (!lease)
      throw new AppError('conflict', `sandbox ${id} is changing right now`, {
        hint: 'wait until it is started or stopped, then retry',
        recoverable: true,
      });
    lease.keepAlive(this.d.leaseMs);
    try {
      const fence = await this.d.repo.bumpFence(id);
      const s = fence === null ? null : await this.d.repo.getById(id);
      if (!s || fence === null) throw new AppError('not_found', `sandbox ${id} no longer exists`);
      if (!settled(s.state, s.desiredState) || (s.state !== 'started' && s.state !== 'stopped')) {
        throw new AppError('failed_precondition', `sandbox ${s.name} is ${s.state}`, {
          hint: 'wait until it is started or stopped, then retry',
          recoverable: true,
        });
      }
      await this.setState(s, fence, during);
      try {
        return await f(s);
      } finally {
        await this.setState({ ...s, state: during }, fence, s.state).catch((e) =>
          this.d.log.warn('could not restore the state after an exclusive operation', {
            sandboxId: id,
            error: (e as Error).message,
          }),
        );
      }
    } finally {
      await lease.release().catch(() => {});
    }
  }

  /**
   * Stops a started sandbox and leaves it in `error` with the reason (e.g. its
   * watched disk limit was exceeded). The files stay; starting it again works.
   */
  async failAndStop(id: string, reason: string): Promise<void> {
    const lease = await this.d.locks.acquire(`sandbox:${id}`, this.d.leaseMs).catch(() => null);
    if (!lease) return;
    try {
      const fence = await this.d.repo.bumpFence(id);
      const s = fence === null ? null : await this.d.repo.getById(id);
      if (!s || fence === null || s.state !== 'started') return;
      await this.d.repo.setDesired(id, 'stopped', s.desiredState, this.d.clock.now().getTime());
      await this.setState(s, fence, 'stopping');
      await this.d.runner.ensureStopped(id);
      await this.setState({ ...s, state: 'stopping' }, fence, 'error', { reason, recoverable: true });
    } catch (e) {
      if (!(e instanceof LeaseLost))
        this.d.log.warn('could not stop sandbox', { sandboxId: id, error: (e as Error).message });
    } finally {
      await lease.release().catch(() => {});
    }
  }

  /** Stops started sandboxes that wrote more than their disk limit (when the engine cannot enforce it). */
  async checkDisks(): Promise<string[]> {
    const watched = this.reachableIds().filter((id) => !this.d.diskLimitEnforced(id));
    if (!watched.length) return [];
    const over: string[] = [];
    for (const s of await this.d.repo.allForRunners(watched)) {
      if (s.state !== 'started') continue;
      const used = await this.d.runner.diskUsage(s.id).catch(() => null);
      const limit = s.disk * 1024 ** 3;
      if (used === null || used <= limit) continue;
      over.push(s.id);
      const gib = (n: number) => (n / 1024 ** 3).toFixed(2);
      this.d.log.warn('disk limit exceeded; stopping sandbox', {
        sandboxId: s.id,
        usedGiB: gib(used),
        limitGiB: s.disk,
      });
      await this.failAndStop(
        s.id,
        `disk limit exceeded: the sandbox wrote ${gib(used)} GiB of its ${s.disk} GiB; start it and delete files, or recreate it with a larger disk`,
      );
    }
    return over;
  }

  /**
   * Moves on every sandbox of a runner that just linked: what waited for it
   * (a start after an API restart, sandboxes shown `unknown` while it was lost)
   * goes on now instead of at the next sweep.
   */
  async sweepRunner(runnerId: string): Promise<void> {
    const all = await this.d.repo.allForRunners([runnerId]);
    await Promise.all(
      all.filter((s) => !settled(s.state, s.desiredState) || s.state === 'started').map((s) => this.kick(s.id)),
    );
  }

  /** One pass over every sandbox of this runner. Tests call it with a manual clock. */
  sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    this.lostInSweep = new Map();
    try {
      await this.sweepSandboxes();
    } finally {
      this.lostInSweep = null;
    }
  }

  private async sweepSandboxes(): Promise<void> {
    const all = await this.d.repo.allForRunners((await this.d.runnerIds?.()) ?? this.reachableIds());
    const now = this.d.clock.now().getTime();
    const kicks: Promise<void>[] = [];
    for (const s of all) {
      const idle = now - s.lastActivityAt.getTime();
      if (
        s.state === 'started' &&
        s.desiredState === 'started' &&
        s.autoStopInterval > 0 &&
        idle >= s.autoStopInterval * 60_000 &&
        !this.d.busy(s.id)
      ) {
        await this.timerSetsDesired(s, 'stopped', now, 'auto-stop');
      } else if (
        s.state === 'started' &&
        s.desiredState === 'started' &&
        s.autoPauseInterval > 0 &&
        idle >= s.autoPauseInterval * 60_000 &&
        !this.d.busy(s.id)
      ) {
        await this.timerSetsDesired(s, 'paused', now, 'auto-pause');
      } else if (
        s.state === 'paused' &&
        s.desiredState === 'paused' &&
        s.autoStopInterval > 0 &&
        idle >= s.autoStopInterval * 60_000
      ) {
        // A paused sandbox still holds its memory: auto-stop applies to it as to a started one.
        await this.timerSetsDesired(s, 'stopped', now, 'auto-stop');
      }
      if ((s.state === 'stopped' || s.state === 'archived') && s.desiredState !== 'destroyed')
        await this.applyTimers(s);
      const fresh = (await this.d.repo.getById(s.id)) ?? s;
      if (!settled(fresh.state, fresh.desiredState) || fresh.state === 'started') kicks.push(this.kick(s.id));
    }
    await Promise.all(kicks);
  }

  /**
   * Removes containers, archives and network rules of sandboxes the store does
   * not know. The host is always listed before the store is read: a create
   * stores its row before it makes anything, so what a create in progress has
   * made is never taken for an orphan.
   */
  async reap(reapNetwork?: (known: () => Promise<Set<string>>) => Promise<number>): Promise<string[]> {
    const orphans: string[] = [];
    for (const runner of this.d.runners?.() ?? [this.d.runner]) {
      let onHost: string[];
      try {
        onHost = await runner.listSandboxIds();
      } catch (e) {
        this.d.log.warn('cannot list sandboxes of a runner; reaping it later', {
          runnerId: runner.id,
          error: (e as Error).message,
        });
        continue;
      }
      const known = await this.knownIds([runner.id]);
      for (const id of onHost.filter((x) => !known.has(x))) {
        // Under the sandbox's lease, looked at again: a sandbox moving here (mover.ts) has its
        // archive here before its row says so, and holds the lease until it does.
        const lease = await this.d.locks.acquire(`sandbox:${id}`, this.d.leaseMs).catch(() => null);
        if (!lease) continue;
        try {
          if (await this.d.repo.runnerOf(id).then((r) => r === runner.id)) continue;
          orphans.push(id);
          this.d.log.warn('reaping an orphan sandbox', { sandboxId: id, runnerId: runner.id });
          // Straight to its runner: the orphan has no row saying where it is.
          await runner
            .ensureDestroyed(id)
            .catch((e) => this.d.log.warn('reap failed', { sandboxId: id, error: (e as Error).message }));
        } finally {
          await lease.release().catch(() => {});
        }
      }
    }
    if (reapNetwork) await reapNetwork(() => this.knownIds([this.d.runner.id])).catch(() => 0);
    return orphans;
  }

  private runnerLost(runnerId: string): Promise<string | null> {
    const read = () => this.d.runnerLost?.(runnerId) ?? Promise.resolve(null);
    const memo = this.lostInSweep;
    if (!memo) return read();
    let p = memo.get(runnerId);
    if (!p) memo.set(runnerId, (p = read()));
    return p;
  }

  private reachableIds(): string[] {
    return (this.d.runners?.() ?? [this.d.runner]).map((r) => r.id);
  }

  private async knownIds(runnerIds: string[]): Promise<Set<string>> {
    // Members first: a claim moves an id from the pool to the sandboxes in one
    // transaction, so read in that order it is seen in one list or both.
    const ids = new Set((await this.d.poolIds?.()) ?? []);
    for (const s of await this.d.repo.allForRunners(runnerIds)) ids.add(s.id);
    return ids;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.retries.values()) t.clear();
    this.retries.clear();
    await Promise.allSettled([...this.running.values()]);
    await this.sweeping?.catch(() => {});
  }
}

const isUnavailable = (e: unknown) => e instanceof AppError && e.code === 'unavailable';

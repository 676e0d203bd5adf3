// Moves sandboxes off a runner (`drain --migrate`): each is archived where it
// is, its archive streamed to a runner placement chooses (never the one it
// leaves), its row switched to that runner under the sandbox's lease, and it
// is started there again if it was meant to run. Files are kept; memory is
// not (a started sandbox restarts). Crash-safe step by step: until the row
// switches, the sandbox and its archive stay where they were and the copy is
// an orphan the reaper takes; after it, the leftover on the old runner is.
import type { Clock } from '../../common/clock.js';
import { crashpoint } from '../../common/crashpoint.js';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { RunnerClient } from '../../common/wire/runner.js';
import type { Bus } from '../bus/index.js';
import type { Locks } from '../lock/index.js';
import { DEFAULT_TARGET, type Sandbox } from '../sandboxes/model.js';
import { settled } from '../sandboxes/plan.js';
import type { SandboxRepo } from '../sandboxes/repo.js';
import type { PlacementNeed } from './placement.js';

/** Tells every replica that a sandbox now lives on another runner (payload: SandboxMoved). */
export const SANDBOX_MOVED = 'berth:sandbox-moved';
export interface SandboxMoved {
  sandboxId: string;
  runnerId: string;
}

/** How long a migration waits for its runner to link to this server (the link's back-off tops out at 30 s). */
const LINK_WAIT_MS = 35_000;

/** How long archiving one sandbox may take before the move gives up on it. */
const SETTLE_MS = 10 * 60_000;

export interface MoverDeps {
  repo: SandboxRepo;
  locks: Locks;
  bus: Bus;
  clock: Clock;
  log: Logger;
  leaseMs: number;
  runner(runnerId: string): RunnerClient;
  place(need: PlacementNeed): Promise<string>;
  /** Reconciles a sandbox now. */
  kick(sandboxId: string): Promise<void>;
  /** Whether new sandboxes may go to the runner (the embedded one, or a remote one left `ready`). */
  takesNew(runnerId: string): Promise<boolean>;
  /** Remote runners linked to this replica now. */
  linked(): string[];
  /** The embedded runner's id, and how it takes over a lost runner's archive from the archive store. */
  local: { id: string; adoptArchive(sandboxId: string, prefix: string): Promise<boolean> };
}

/** What removing a lost runner did to its sandboxes. */
export interface Rescue {
  /** Archived on the embedded runner now, from their last archive: a start restores them. */
  restored: string[];
  /** Their files were only on that runner's host: in `error`, saying so. */
  lost: string[];
}

/** How one drain with migration went, for the runner's listing. */
export interface Migration {
  state: 'moving' | 'done';
  moved: number;
  /** Sandboxes that stay on the runner, and why. */
  left: { sandboxId: string; reason: string }[];
}

/** What placement must find for the sandbox, anywhere but `from`. */
const need = (s: Sandbox, from: string): PlacementNeed => ({
  cpu: s.cpu,
  memoryGiB: s.memory,
  diskGiB: s.disk,
  runtime: s.runtime,
  network: !s.networkBlockAll,
  target: s.target === DEFAULT_TARGET ? null : s.target,
  avoid: from,
  ...(s.volumes.length ? { localOnly: 'it mounts volumes, which live on the API host' } : {}),
});

export class SandboxMover {
  private readonly migrations = new Map<string, Migration>();

  constructor(private readonly d: MoverDeps) {}

  /** The last migration off `runnerId` this replica ran, if any. */
  migration(runnerId: string): Migration | undefined {
    return this.migrations.get(runnerId);
  }

  /** Moves every sandbox off the runner, one after the other, in the background. */
  evacuate(runnerId: string): Migration {
    const running = this.migrations.get(runnerId);
    if (running?.state === 'moving') return running;
    const m: Migration = { state: 'moving', moved: 0, left: [] };
    this.migrations.set(runnerId, m);
    void (async () => {
      // Just after this server started, the runner may not have dialled it yet (it retries with back-off).
      const until = this.d.clock.now().getTime() + LINK_WAIT_MS;
      while (!this.d.linked().includes(runnerId) && this.d.clock.now().getTime() < until) await this.d.clock.sleep(250);
      for (const s of await this.d.repo.allForRunners([runnerId])) {
        try {
          await this.move(s);
          m.moved++;
        } catch (e) {
          m.left.push({ sandboxId: s.id, reason: (e as Error).message });
          this.d.log.warn('could not move a sandbox off its runner', {
            sandboxId: s.id,
            runnerId,
            error: (e as Error).message,
          });
        }
      }
      m.state = 'done';
      const left = (await this.d.repo.allForRunners([runnerId])).length;
      this.d.log.info(left ? `runner still holds ${left} sandbox(es)` : 'runner is empty', {
        runnerId,
        moved: m.moved,
      });
    })().catch((e) => {
      m.state = 'done';
      this.d.log.warn('migration off a runner failed', { runnerId, error: (e as Error).message });
    });
    return m;
  }

  /**
   * An archived sandbox about to start on a draining runner restores on another one instead
   * (a start is a new placement). One whose runner is not linked here stays: its start says so.
   */
  async beforeStart(s: Sandbox): Promise<void> {
    if (s.state !== 'archived' || (await this.d.takesNew(s.runnerId)) || !this.d.linked().includes(s.runnerId)) return;
    await this.relocate(s.id, s.runnerId);
  }

  /** Archives the sandbox, moves its archive to another runner, and starts it there if it was meant to run. */
  async move(s: Sandbox): Promise<string> {
    if (s.desiredState === 'destroyed') throw new AppError('failed_precondition', 'it is being deleted');
    const wasRunning = s.desiredState === 'started' || s.desiredState === 'paused';
    // Before anything changes: a sandbox with nowhere to go stays as it is, running if it ran.
    await this.d.place(need(s, s.runnerId));
    if (s.state !== 'archived') {
      if (!settled(s.state, s.desiredState))
        throw new AppError('failed_precondition', `it is ${s.state}`, { hint: 'drain again once it settled' });
      if (s.state !== 'started' && s.state !== 'stopped' && s.state !== 'paused')
        throw new AppError('failed_precondition', `it is ${s.state}`, { hint: 'start or delete it, then drain again' });
      await this.d.repo.setDesired(s.id, 'archived', s.desiredState, this.d.clock.now().getTime());
      const now = await this.settle(s.id);
      if (now?.state !== 'archived')
        throw new AppError('unavailable', `archiving it ended ${now?.state ?? 'deleted'}`, {
          hint: now?.errorReason ?? 'see the sandbox',
        });
    }
    let to = s.runnerId;
    try {
      to = await this.relocate(s.id, s.runnerId);
    } finally {
      // Started again where it now is: on the new runner, or where it was when the move failed.
      if (wasRunning) {
        await this.d.repo.setDesired(s.id, 'started', 'archived', this.d.clock.now().getTime());
        await this.d.kick(s.id);
      }
    }
    return to;
  }

  /**
   * The runner is gone for good: each of its sandboxes whose last archive is in the archive store
   * (`archivePrefix`) is taken over by the embedded runner, archived there; the others are lost
   * and say so. Under each sandbox's lease; running it again finishes what a crash left.
   */
  async rescue(runner: { id: string; name: string; archivePrefix: string | null }): Promise<Rescue> {
    const out: Rescue = { restored: [], lost: [] };
    for (const s of await this.d.repo.allForRunners([runner.id])) {
      const lease = await this.lease(s.id);
      try {
        const fence = await this.d.repo.bumpFence(s.id);
        if (fence === null) continue;
        const now = this.d.clock.now().getTime();
        const kept = runner.archivePrefix ? await this.d.local.adoptArchive(s.id, runner.archivePrefix) : false;
        const where = { runner_id: this.d.local.id, updated_at: now };
        if (kept) {
          await this.d.repo.fencedPatch(s.id, fence, {
            ...where,
            state: 'archived',
            desired_state: 'archived',
            error_reason: null,
            recoverable: false,
          });
          out.restored.push(s.id);
        } else {
          const why = runner.archivePrefix
            ? 'had no archive in the archive store'
            : 'kept its archives on its own disk (BERTH_ARCHIVE_STORE=local)';
          await this.d.repo.fencedPatch(s.id, fence, {
            ...where,
            state: 'error',
            desired_state: 'stopped',
            error_reason:
              `its runner ${runner.name} was removed while unreachable and ${why}: its files are lost; ` +
              'starting it again creates a fresh filesystem from its image',
            recoverable: true,
          });
          out.lost.push(s.id);
        }
        await this.d.bus.publish(SANDBOX_MOVED, { sandboxId: s.id, runnerId: this.d.local.id } satisfies SandboxMoved);
      } finally {
        await lease.release().catch(() => {});
      }
    }
    this.d.log.warn('removed a lost runner', { runnerId: runner.id, restored: out.restored, lost: out.lost });
    return out;
  }

  /**
   * The sandbox's lease, waiting out another holder for up to two leases (one that crashed holds
   * it that long at most); `conflict` when it stays taken.
   */
  private async lease(id: string) {
    const until = this.d.clock.now().getTime() + 2 * this.d.leaseMs;
    for (;;) {
      const lease = await this.d.locks.acquire(`sandbox:${id}`, this.d.leaseMs);
      if (lease) {
        lease.keepAlive(this.d.leaseMs);
        return lease;
      }
      if (this.d.clock.now().getTime() > until)
        throw new AppError('conflict', `sandbox ${id} is changing right now`, { recoverable: true });
      await this.d.clock.sleep(250);
    }
  }

  /** Kicks the reconciler until the sandbox settles (or fails), for at most SETTLE_MS. */
  private async settle(id: string): Promise<Sandbox | null> {
    const until = this.d.clock.now().getTime() + SETTLE_MS;
    for (;;) {
      await this.d.kick(id);
      const s = await this.d.repo.getById(id);
      if (!s || settled(s.state, s.desiredState) || s.state === 'error' || this.d.clock.now().getTime() > until)
        return s;
      await this.d.clock.sleep(500);
    }
  }

  /** Under the sandbox's lease: copies its archive to the chosen runner and switches its row there. */
  private async relocate(id: string, from: string): Promise<string> {
    const lease = await this.lease(id);
    try {
      const fence = await this.d.repo.bumpFence(id);
      const s = fence === null ? null : await this.d.repo.getById(id);
      if (!s || fence === null) throw new AppError('not_found', 'it no longer exists');
      if (s.runnerId !== from) return s.runnerId;
      if (s.state !== 'archived' || s.desiredState !== 'archived')
        throw new AppError('failed_precondition', `it is ${s.state}`, { recoverable: true });
      const to = await this.d.place(need(s, from));
      await this.d.runner(to).writeArchive(id, await this.d.runner(from).readArchive(id));
      crashpoint('move:copied');
      await this.d.repo.fencedPatch(id, fence, { runner_id: to, updated_at: this.d.clock.now().getTime() });
      await this.d.bus.publish(SANDBOX_MOVED, { sandboxId: id, runnerId: to } satisfies SandboxMoved);
      crashpoint('move:switched');
      // Best effort: what is left behind is an orphan there now, which the reaper takes.
      await this.d
        .runner(from)
        .ensureDestroyed(id)
        .catch((e) => this.d.log.warn('left a moved sandbox behind', { sandboxId: id, error: (e as Error).message }));
      // Into the new runner's archive store, when it has one.
      await this.d
        .runner(to)
        .ensureArchived(id)
        .catch((e) =>
          this.d.log.warn('could not store a moved archive', { sandboxId: id, error: (e as Error).message }),
        );
      this.d.log.info('moved a sandbox to another runner', { sandboxId: id, from, to });
      return to;
    } finally {
      await lease.release().catch(() => {});
    }
  }
}

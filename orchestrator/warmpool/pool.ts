// The warm pool (DESIGN §4): started sandboxes of no organization, per
// resource class, ready to be claimed by a create. Sizes come from
// BERTH_WARM_POOL (the default snapshot's class) and each snapshot's own
// setting. A background loop refills one member at a time and pauses while
// the host is under pressure; it also retires members whose image was
// rebuilt, whose class is no longer wanted, or whose daemon is gone.
//
// Crash safety: a member row is written before its container exists and
// removed only after the container is gone, so the reaper never takes a
// member for an orphan and nothing a crashed fill made is left behind (a
// restart retires every member it finds). A claim deletes the ready row in
// the transaction that inserts the sandbox (sandboxes/repo.ts): the container
// then belongs to that sandbox, and the reconciler finishes the claim.
import { newId } from '../../common/ids.js';
import { crashpoint } from '../../common/crashpoint.js';
import type { Clock, Timer } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { effectiveUser, type ImageConfig, type RunnerClient } from '../../common/wire/runner.js';
import { classKey, fittingClasses, memberSpec, type MissReason, type PoolClass, type WarmRequest } from './spec.js';
import type { MemberRow, WarmPoolRepo } from './repo.js';

export interface WarmPoolDeps {
  repo: WarmPoolRepo;
  /** The runner itself, not the hooked one: a member's start is no usage and gets no secrets. */
  runner: RunnerClient;
  clock: Clock;
  log: Logger;
  /** Members of the default snapshot's class when no snapshot of that class sets its own size. */
  defaultSize: number;
  defaultImage: string;
  /** Resources of a sandbox created without any (the server defaults within its limits). */
  defaults(): { cpu: number; memory: number; disk: number };
  /** Why refills should wait now (host load or memory), or null. */
  pressure(): string | null;
  tickMs: number;
}

interface Target {
  cls: PoolClass;
  key: string;
  size: number;
  imageId: string;
  imageConfig: ImageConfig;
}

export type WarmPick = { ids: string[] } | { miss: MissReason };

/** A snapshot's settings that make its class (null = the server default). */
export interface ClassSettings {
  entrypoint?: string[] | null;
  cpu?: number | null;
  memory?: number | null;
  disk?: number | null;
}

export class WarmPool {
  private targets = new Map<string, Target>();
  private timer: Timer | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private started: Promise<void> | null = null;
  private pausedFor: string | null = null;

  constructor(private readonly d: WarmPoolDeps) {}

  /** Retires what a previous process left, then keeps the pool filled in the background. */
  start(): void {
    if (this.started) return;
    this.started = (async () => {
      for (const m of await this.d.repo.all(this.d.runner.id)) await this.retire(m);
      this.timer = this.d.clock.setInterval(() => this.kick(), this.d.tickMs).unref();
      this.kick();
    })().catch((e) => this.d.log.warn('warm pool not started', { error: (e as Error).message }));
  }

  /** Runs a maintenance round soon (after a claim, a size change); rounds never overlap. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.round().catch((e) => this.d.log.warn('warm pool round failed', { error: (e as Error).message }));
      } while (this.again && !this.closed);
    })().finally(() => (this.running = null));
  }

  /** Waits until the current round (if any) is over (tests, benchmarks). */
  async idle(): Promise<void> {
    await this.started;
    while (this.running) await this.running;
  }

  /** Ready members of the classes that fit `req`, oldest first; or why none can serve it. */
  async pick(req: WarmRequest, imageId: string | undefined): Promise<WarmPick> {
    const fit = fittingClasses(
      req,
      [...this.targets.values()].filter((t) => t.size > 0).map((t) => t.cls),
    );
    if ('miss' in fit) return fit;
    const rows = imageId ? await this.d.repo.ready(this.d.runner.id, fit.keys, imageId) : [];
    if (!rows.length) return { miss: 'empty' };
    const order = new Map(fit.keys.map((k, i) => [k, i]));
    rows.sort((a, b) => order.get(a.class_key)! - order.get(b.class_key)!);
    return { ids: rows.map((r) => r.id) };
  }

  /** Ready members for sandboxes of `image` with these settings (a snapshot's), as of the last round. */
  async readyFor(image: string, o: ClassSettings): Promise<number> {
    const t = [...this.targets.values()].find(
      (x) => x.cls.image === image && x.key === classKey(this.classOf(image, x.imageConfig, o)),
    );
    if (!t) return 0;
    const members = await this.d.repo.all(this.d.runner.id);
    return members.filter((m) => m.class_key === t.key && m.state === 'ready' && m.image_id === t.imageId).length;
  }

  /** The class of a sandbox created from `image` with these settings (null resources = server defaults). */
  classOf(image: string, imageConfig: ImageConfig, o: ClassSettings): PoolClass {
    const def = this.d.defaults();
    return {
      image,
      command: o.entrypoint?.length ? o.entrypoint : imageConfig.command,
      user: effectiveUser(undefined, imageConfig.user),
      cpu: o.cpu ?? def.cpu,
      memory: o.memory ?? def.memory,
      disk: o.disk ?? def.disk,
    };
  }

  private async refreshTargets(): Promise<void> {
    const next = new Map<string, Target>();
    const add = async (image: string, o: ClassSettings, size: number, explicit: boolean) => {
      // The default off: nothing to inspect (an explicit 0 still counts: it overrides the default for its class).
      if (size <= 0 && !explicit) return;
      const cfg = await this.d.runner.inspectImage(image).catch(() => null);
      if (!cfg?.id) return;
      const cls = this.classOf(image, cfg, o);
      const key = classKey(cls);
      const prev = next.get(key);
      // An explicit size (a snapshot's) wins over the server default; two snapshots of one class take the larger.
      if (prev && !explicit) return;
      const merged = prev && explicit ? Math.max(prev.size, size) : size;
      next.set(key, { cls, key, size: merged, imageId: cfg.id, imageConfig: cfg });
    };
    const sized = await this.d.repo.sizedSnapshots();
    for (const s of sized) {
      const entrypoint = s.entrypoint ? (JSON.parse(s.entrypoint) as string[]) : null;
      await add(s.image_name, { entrypoint, cpu: s.cpu, memory: s.memory, disk: s.disk }, s.warm_pool, true);
    }
    await add(this.d.defaultImage, {}, this.d.defaultSize, false);
    this.targets = next;
  }

  private async round(): Promise<void> {
    await this.refreshTargets();
    const members = await this.d.repo.all(this.d.runner.id);
    const kept = new Map<string, number>();
    for (const m of members) {
      if (m.state !== 'ready') {
        if (m.state === 'retiring') await this.retire(m); // a retirement cut short by an engine error
        continue;
      }
      const t = this.targets.get(m.class_key);
      const n = kept.get(m.class_key) ?? 0;
      let why: string | null = null;
      if (!t || n >= t.size) why = 'not wanted';
      else if (t.imageId !== m.image_id) why = 'image changed';
      else if (!(await this.d.runner.observe(m.id).catch(() => null))?.ready) why = 'daemon gone';
      if (why) {
        this.d.log.info('retiring a warm sandbox', { id: m.id, why });
        await this.retire(m);
      } else kept.set(m.class_key, n + 1);
    }
    for (const t of this.targets.values()) {
      for (let have = kept.get(t.key) ?? 0; have < t.size && !this.closed; have++) {
        const pressure = this.d.pressure();
        if (pressure) {
          if (this.pausedFor !== pressure) this.d.log.info('warm pool refill paused', { why: pressure });
          this.pausedFor = pressure;
          return;
        }
        this.pausedFor = null;
        if (!(await this.make(t))) return;
      }
    }
  }

  /** Starts one member; false when it failed (the next round tries again). */
  private async make(t: Target): Promise<boolean> {
    const now = this.d.clock.now().getTime();
    const row: MemberRow = {
      id: newId(),
      runner_id: this.d.runner.id,
      class_key: t.key,
      image: t.cls.image,
      image_id: t.imageId,
      state: 'starting',
      created_at: now,
      updated_at: now,
    };
    await this.d.repo.insert(row);
    try {
      await this.d.runner.ensureStarted(memberSpec(row.id, t.cls, t.imageConfig));
      crashpoint('pool:started');
      // Retired meanwhile (close): its row is 'retiring', and so is its removal.
      const ready = await this.d.repo.transition(row.id, 'starting', 'ready', this.d.clock.now().getTime());
      if (!ready) await this.retire({ ...row, state: 'retiring' });
      return true;
    } catch (e) {
      this.d.log.warn('could not start a warm sandbox', { error: (e as Error).message });
      await this.retire(row).catch(() => {});
      return false;
    }
  }

  /** Removes a member's container and every host trace, then its row. Skips one a claim took meanwhile. */
  private async retire(m: MemberRow): Promise<void> {
    const now = this.d.clock.now().getTime();
    if (m.state !== 'retiring' && !(await this.d.repo.transition(m.id, m.state, 'retiring', now))) return;
    await this.d.runner.ensureDestroyed(m.id);
    await this.d.repo.remove(m.id);
  }

  /** Ids of every member row of this runner (the reaper must not take them for orphans). */
  async memberIds(): Promise<string[]> {
    return (await this.d.repo.all(this.d.runner.id)).map((m) => m.id);
  }

  /** Stops refilling and removes the unclaimed members. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.clear();
    await this.started;
    await this.running;
    for (const m of await this.d.repo.all(this.d.runner.id).catch(() => [])) await this.retire(m).catch(() => {});
  }
}

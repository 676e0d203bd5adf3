// Sandbox use cases: read, lifecycle requests, settings, toolbox access
// (create is in create.ts). Requests only record intent (desired state, settings) and kick the
// reconciler; they wait a bounded time for the outcome so simple clients see
// the final state in one round trip.
import { AppError, notFound } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import type {
  RegistryCredentials,
  RunnerClient,
  SandboxDaemon,
  SandboxRuntimeSpec,
  VolumeMount,
} from '../../common/wire/runner.js';
import type { Bus } from '../bus/index.js';
import { isSystem, type Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';
import { guardDaemon } from '../audit/daemon.js';
import type { AuditLog } from '../audit/log.js';
import type { SandboxDefaults } from '../orgs/defaults.js';
import type { QuotaService } from '../quotas/service.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import type { SecretRef } from '../secrets/service.js';
import { Activity } from './activity.js';
import { SandboxCreator, type CreatePreset } from './create.js';
import { labelsSchema, type VolumeMountInput } from './create-input.js';
import type { SnapshotChoice } from '../snapshots/model.js';
import type { BuildService } from '../images/builds.js';
import { SANDBOX_EVENTS, type Sandbox, type SandboxEvent } from './model.js';
import { settled } from './plan.js';
import type { Reconciler } from './reconciler.js';
import type { ListFilter, ListPage, SandboxRepo } from './repo.js';
import { ACTION_TARGET, ACTIONS, actionAllowed, type SandboxAction } from './states.js';
import type { SandboxRow } from './row.js';
import type { WarmPool } from '../warmpool/pool.js';
import type { PlacementNeed } from '../runners/placement.js';
import type { GvisorMode } from '../../common/wire/runner.js';

const GiB = 1024 ** 3;

export interface SandboxServiceDeps {
  repo: SandboxRepo;
  runner: RunnerClient;
  reconciler: Reconciler;
  bus: Bus;
  clock: Clock;
  config: Config;
  log: Logger;
  activity: Activity;
  /** Resolves `snapshot` at create (by id or name) to its image and defaults. */
  snapshots?: { choose(p: Principal, idOrName: string): Promise<SnapshotChoice> };
  /** Checks the volume mounts asked for at create. */
  volumes?: { resolveMounts(p: Principal, mounts: VolumeMountInput[]): Promise<VolumeMount[]> };
  /** Per-organization quotas; checks and the write they guard run under one lock. */
  quotas?: Pick<QuotaService, 'guard' | 'checkSandboxes'>;
  /** Creates and lifecycle actions per organization. */
  limiter?: Pick<RateLimiter, 'take'>;
  /** Resolves `secrets: [{ENV: secretName}]` at create. */
  secrets?: { refs(p: Principal, raw: unknown): Promise<SecretRef[]> };
  /** The organization's defaults for network policy and runtime. */
  orgDefaults?: { get(organizationId: string): Promise<SandboxDefaults> };
  /** Records what toolbox callers change. */
  audit?: AuditLog;
  /** Started sandboxes of no owner that a matching create claims. */
  warmPool?: Pick<WarmPool, 'pick' | 'kick'>;
  /** Builds images for sandboxes created from a Dockerfile (SDK `create({ image: Image… })`). */
  builds?: Pick<BuildService, 'validate' | 'request' | 'cancel'>;
  /** Credentials for the registry an image names (private pulls). */
  registryAuth?: (organizationId: string, ref: string) => Promise<RegistryCredentials | null>;
  /**
   * Picks the runner of a new sandbox, and says which gVisor the runners that may take sandboxes
   * offer; without it every sandbox is the runner's, judged by its engine.
   */
  placement?: { place(need: PlacementNeed): Promise<string>; gvisorModes(): Promise<GvisorMode[]> };
  /** Before an archived sandbox starts: moves it off a runner that takes no new sandboxes (draining). */
  relocate?: { beforeStart(s: Sandbox): Promise<void> };
}

export interface WaitOptions {
  /** Milliseconds to wait for the outcome; 0 answers at once. */
  waitMs?: number;
}

export interface CreateOptions extends WaitOptions {
  idempotencyKey?: string;
  /** A sandbox whose image the caller made (a fork): its id, image and image config. */
  preset?: CreatePreset;
  /** Told whether the create claimed a warm sandbox: `hit`, or `miss; reason=…` (the X-Berth-Warm header). */
  onWarm?: (outcome: string) => void;
}

export class SandboxService {
  private readonly creator: SandboxCreator;

  constructor(private readonly d: SandboxServiceDeps) {
    this.creator = new SandboxCreator(d, {
      limits: () => this.limits(),
      ensureEngine: () => this.ensureEngine(),
      settle: (p, s, waitMs) => this.settle(p, s, waitMs),
    });
  }

  /** Resolves the sandbox in the caller's organization or answers not found (never forbidden). */
  async get(p: Principal, idOrName: string, opts: { labels?: boolean } = {}): Promise<Sandbox> {
    const s = await this.d.repo.get(p.organizationId, idOrName, opts);
    if (!s || (p.sandboxId && s.id !== p.sandboxId))
      throw notFound(`sandbox ${idOrName}`, 'list your sandboxes with GET /api/sandbox or `berth sandbox list`');
    return s;
  }

  list(p: Principal, filter: ListFilter, page: ListPage) {
    if (p.sandboxId)
      throw new AppError('forbidden', 'a preview token opens the toolbox of its own sandbox only', {
        hint: 'list sandboxes with an API key',
      });
    return this.d.repo.list(p.organizationId, filter, page);
  }

  limits() {
    const engine = this.d.runner.engineInfo();
    const c = this.d.config;
    return {
      maxCpu: c.maxCpu || engine?.cpus || 1,
      maxMemoryGiB: c.maxMemoryGiB || Math.floor((engine?.memoryBytes ?? 4 * GiB) / GiB) || 1,
      maxDiskGiB: c.maxDiskGiB,
    };
  }

  async ensureEngine(): Promise<void> {
    const h = await this.d.runner.health();
    if (!h.ok) {
      throw new AppError('unavailable', `the Docker engine is not reachable: ${h.error ?? 'unknown error'}`, {
        hint: 'start the Docker engine (`berth up` does it on Debian); existing sandboxes keep their state and resume when it is back',
      });
    }
  }

  create(p: Principal, raw: unknown, opts: CreateOptions = {}): Promise<Sandbox> {
    return this.creator.create(p, raw, opts);
  }

  /** Waits (bounded) until the reconciler has nothing left to do for the sandbox. */
  async settle(p: Principal, s: Sandbox, waitMs = this.d.config.requestWaitSeconds * 1000): Promise<Sandbox> {
    if (waitMs <= 0 || settled(s.state, s.desiredState)) return s;
    const done = (x: Sandbox) => settled(x.state, x.desiredState) || x.state === 'error';
    return new Promise<Sandbox>((resolve) => {
      let finished = false;
      /** Answers with `known` when the check just read it, else reads the sandbox once more. */
      const finish = async (known?: Sandbox | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearInterval(poll);
        off();
        const last = known === undefined ? await this.d.repo.get(p.organizationId, s.id) : known;
        resolve(last ?? { ...s, state: 'destroyed' });
      };
      const check = async () => {
        const cur = await this.d.repo.get(p.organizationId, s.id).catch(() => s);
        if (!cur || done(cur)) void finish(cur);
      };
      const off = this.d.bus.subscribe(SANDBOX_EVENTS.stateUpdated, (ev) => {
        if ((ev as SandboxEvent).sandbox.id === s.id) void check();
      });
      // Real time: the request waits for Docker to act, and polls the store for a state event another replica may have lost.
      // eslint-disable-next-line no-restricted-globals -- wall clock: polling the store
      const poll = setInterval(() => void check(), 1000);
      // eslint-disable-next-line no-restricted-globals -- wall clock: how long one HTTP request waits for the engine
      const timer = setTimeout(() => void finish(), waitMs);
      void check();
    });
  }

  /** Records a lifecycle request (start/stop/archive/delete) and waits for its outcome. */
  async request(p: Principal, idOrName: string, action: SandboxAction, opts: WaitOptions = {}): Promise<Sandbox> {
    const target = ACTION_TARGET[action];
    if (!target) throw new AppError('internal', `no desired state for ${action}`);
    requirePermission(p, action === 'delete' ? 'delete:sandboxes' : 'write:sandboxes');
    if (!isSystem(p)) await this.d.limiter?.take('lifecycle', p.organizationId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const s = await this.get(p, idOrName);
      if (!actionAllowed(action, s.state)) {
        throw new AppError('failed_precondition', `cannot ${action} sandbox ${s.name}: it is ${s.state}`, {
          hint: ACTIONS[action].hint(s.state),
          details: { state: s.state },
        });
      }
      if (action !== 'delete' && s.desiredState === 'destroyed') {
        throw new AppError('failed_precondition', `sandbox ${s.name} is being deleted`, {
          hint: 'create a new sandbox',
        });
      }
      if (action === 'start' && s.state === 'error') {
        // A person asked to try again: clear the error and let the reconciler look.
        await this.startingGuard(s, () =>
          this.d.repo.patch(s.id, {
            state: 'unknown',
            error_reason: null,
            recoverable: false,
            desired_state: 'started',
            updated_at: this.d.clock.now().getTime(),
          }),
        );
      } else if (s.desiredState !== target) {
        if (action !== 'delete') await this.ensureEngine();
        if (action === 'start' && s.state === 'archived') await this.d.relocate?.beforeStart(s);
        const set = () => this.d.repo.setDesired(s.id, target, s.desiredState, this.d.clock.now().getTime());
        if (!(await (target === 'started' ? this.startingGuard(s, set) : set()))) continue; // raced another request
        const changed = await this.d.repo.get(p.organizationId, s.id);
        if (changed)
          await this.d.bus
            .publish(SANDBOX_EVENTS.desiredStateUpdated, {
              organizationId: p.organizationId,
              sandbox: changed,
              oldDesiredState: s.desiredState,
              newDesiredState: target,
            })
            .catch(() => {});
      }
      void this.d.reconciler.kick(s.id);
      const fresh = (await this.d.repo.get(p.organizationId, s.id)) ?? s;
      return this.settle(p, fresh, opts.waitMs);
    }
    throw new AppError('conflict', `sandbox ${idOrName} is changing too fast; retry`, { recoverable: true });
  }

  /** Runs `f` (which makes a sandbox count as running) only if its resources fit the running quotas. */
  private async startingGuard<T>(s: Sandbox, f: () => Promise<T>): Promise<T> {
    if (!this.d.quotas || s.desiredState === 'started') return f();
    const q = this.d.quotas;
    return q.guard(s.organizationId, async () => {
      await q.checkSandboxes(s.organizationId, { count: 0, cpu: s.cpu, memoryGiB: s.memory, diskGiB: s.disk });
      return f();
    });
  }

  async setLabels(p: Principal, idOrName: string, labels: unknown): Promise<Sandbox> {
    const parsed = labelsSchema.safeParse(labels);
    if (!parsed.success)
      throw new AppError(
        'invalid_argument',
        `invalid labels: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        { hint: 'labels are a map of string keys to string values' },
      );
    const s = await this.updatable(p, idOrName);
    await this.d.repo.replaceLabels(s.id, parsed.data, this.d.clock.now().getTime());
    return this.get(p, s.id);
  }

  async setIntervals(
    p: Principal,
    idOrName: string,
    v: { autoStop?: number; autoArchive?: number; autoDelete?: number; autoPause?: number },
  ): Promise<Sandbox> {
    const check = (name: string, n: number | undefined, min: number) => {
      if (n !== undefined && (!Number.isInteger(n) || n < min))
        throw new AppError('invalid_argument', `${name} must be a whole number of minutes ≥ ${min}`, {
          hint: name === 'autoDeleteInterval' ? 'use -1 to never delete, 0 to delete on stop' : 'use 0 to disable',
        });
    };
    check('autoStopInterval', v.autoStop, 0);
    check('autoPauseInterval', v.autoPause, 0);
    check('autoArchiveInterval', v.autoArchive, 0);
    check('autoDeleteInterval', v.autoDelete, -1_000_000);
    const s = await this.updatable(p, idOrName);
    const now = this.d.clock.now().getTime();
    const fields: Partial<SandboxRow> = { updated_at: now };
    if (v.autoStop !== undefined) fields.auto_stop_interval = v.autoStop;
    if (v.autoPause !== undefined) fields.auto_pause_interval = v.autoPause;
    if (v.autoArchive !== undefined) fields.auto_archive_interval = v.autoArchive;
    if (v.autoDelete !== undefined) fields.auto_delete_interval = v.autoDelete < 0 ? -1 : v.autoDelete;
    await this.d.repo.patch(s.id, fields);
    void this.d.reconciler.kick(s.id);
    return this.get(p, s.id);
  }

  /** Whether a preview (or SSH) request starts the sandbox when stopped or archived; null = the organization's default. */
  async setAutoStartOnRequest(p: Principal, idOrName: string, enabled: boolean | null): Promise<Sandbox> {
    if (enabled !== null && typeof enabled !== 'boolean')
      throw new AppError('invalid_argument', 'autoStartOnRequest must be true, false or null', {
        hint: "null follows the organization's default",
      });
    const s = await this.updatable(p, idOrName);
    await this.d.repo.patch(s.id, { auto_start_on_request: enabled, updated_at: this.d.clock.now().getTime() });
    return this.get(p, s.id);
  }

  /**
   * For a request that needs the sandbox running (a preview, an SSH
   * connection): starts a stopped or archived sandbox when its
   * autoStartOnRequest (else its organization's default) allows, then waits
   * up to `waitMs` for it to be started. Answers the sandbox as it is then;
   * refuses with SANDBOX_NOT_STARTED when it may not be started this way.
   */
  async startForRequest(p: Principal, idOrName: string, opts: WaitOptions = {}): Promise<Sandbox> {
    const s = await this.get(p, idOrName);
    if (s.state === 'started' && s.desiredState === 'started') return s;
    if (s.desiredState !== 'started') {
      const allowed =
        s.autoStartOnRequest ?? (await this.d.orgDefaults?.get(s.organizationId))?.autoStartOnRequest ?? false;
      if (!allowed || !actionAllowed('start', s.state) || s.desiredState === 'destroyed') {
        throw new AppError('failed_precondition', `sandbox ${s.name} is ${s.state}`, {
          hint: allowed
            ? ACTIONS.toolbox.hint(s.state)
            : 'start it (POST /api/sandbox/{id}/start or `berth sandbox start`), or let requests start it: PUT /api/sandbox/{id}/auto-start-on-request {"autoStartOnRequest":true}',
          reason: 'SANDBOX_NOT_STARTED',
          details: { state: s.state },
        });
      }
      this.d.log.info('starting a sandbox for a request', {
        sandboxId: s.id,
        from: s.state,
        frontend: p.source?.frontend,
      });
      return this.request(p, s.id, 'start', opts);
    }
    // Already on its way up (starting, restoring…): wait for it like a start request would.
    return this.settle(p, s, opts.waitMs ?? this.d.config.requestWaitSeconds * 1000);
  }

  async setPublic(p: Principal, idOrName: string, isPublic: boolean): Promise<Sandbox> {
    const s = await this.updatable(p, idOrName);
    await this.d.repo.patch(s.id, { public: isPublic, updated_at: this.d.clock.now().getTime() });
    return this.get(p, s.id);
  }

  private async updatable(p: Principal, idOrName: string): Promise<Sandbox> {
    requirePermission(p, 'write:sandboxes');
    const s = await this.get(p, idOrName);
    if (!actionAllowed('update', s.state) || s.desiredState === 'destroyed') {
      throw new AppError('failed_precondition', `sandbox ${s.name} is being deleted`, {
        hint: ACTIONS.update.hint(s.state),
      });
    }
    return s;
  }

  /** Marks the sandbox active (API use counts as activity). */
  touch(s: Sandbox): Promise<void> {
    return this.d.activity.touch(s.id);
  }

  /**
   * Access to a started sandbox's daemon for one call. The caller must invoke
   * `end` when the call (including any streaming) is over.
   */
  async toolbox(p: Principal, idOrName: string): Promise<{ sandbox: Sandbox; daemon: SandboxDaemon; end: () => void }> {
    const s = await this.get(p, idOrName, { labels: false });
    if (s.state === 'unknown' && s.desiredState === 'started')
      throw new AppError('unavailable', `sandbox ${s.name} cannot be reached now`, {
        hint: `${s.errorReason ?? 'its state is being checked'}; retry later`,
        reason: 'SANDBOX_UNREACHABLE',
        recoverable: true,
      });
    if (!actionAllowed('toolbox', s.state) || s.desiredState !== 'started') {
      throw new AppError(
        'failed_precondition',
        `sandbox ${s.name} is ${s.desiredState !== 'started' && s.state === 'started' ? 'stopping' : s.state}`,
        { hint: ACTIONS.toolbox.hint(s.state), reason: 'SANDBOX_NOT_STARTED', details: { state: s.state } },
      );
    }
    const end = this.d.activity.begin(s.id);
    // Reads need no permission; changes need write:sandboxes and are audited (audit/daemon.ts).
    return { sandbox: s, daemon: guardDaemon(this.d.runner.daemon(s.id), p, s.id, this.d.audit), end };
  }

  /** The runner's view of what to run, rebuilt from the stored sandbox. */
  static spec(s: Sandbox, imageConfig: SandboxRuntimeSpec['imageConfig']): SandboxRuntimeSpec {
    return {
      sandboxId: s.id,
      organizationId: s.organizationId,
      image: s.image,
      user: s.user ?? undefined,
      env: s.env,
      cpu: s.cpu,
      memoryGiB: s.memory,
      diskGiB: s.disk,
      network: {
        blockAll: s.networkBlockAll,
        allowList: s.networkAllowList ? s.networkAllowList.split(',') : [],
        domains: s.domainAllowList ? s.domainAllowList.split(',') : [],
      },
      runtime: s.runtime,
      imageConfig,
      volumes: s.volumes,
    };
  }
}

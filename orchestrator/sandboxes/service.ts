// Sandbox use cases: create, read, lifecycle requests, settings, toolbox
// access. Requests only record intent (desired state, settings) and kick the
// reconciler; they wait a bounded time for the outcome so simple clients see
// the final state in one round trip.
import { createHash } from 'node:crypto';
import { AppError, notFound } from '../../common/errors.js';
import { crashpoint } from '../../common/crashpoint.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import type { RunnerClient, SandboxDaemon, SandboxRuntimeSpec, VolumeMount } from '../../common/wire/runner.js';
import type { Bus } from '../bus/index.js';
import type { Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';
import { guardDaemon } from '../audit/daemon.js';
import type { AuditLog } from '../audit/log.js';
import type { SandboxDefaults } from '../orgs/defaults.js';
import type { QuotaService } from '../quotas/service.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import type { SecretRef } from '../secrets/service.js';
import { Activity } from './activity.js';
import { imageFromDockerfile, labelsSchema, parseCreateInput, type VolumeMountInput } from './create-input.js';
import type { SnapshotChoice } from '../snapshots/model.js';
import { SANDBOX_EVENTS, type Sandbox, type SandboxEvent } from './model.js';
import { settled } from './plan.js';
import type { Reconciler } from './reconciler.js';
import type { ListFilter, ListPage, SandboxRepo } from './repo.js';
import { ACTION_TARGET, ACTIONS, actionAllowed, type SandboxAction } from './states.js';
import type { SandboxRow } from '../store/models.js';

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
}

/** Berth's own background work is not rate limited. */
const isSystem = (p: Principal) => p.userId === 'system';

export interface WaitOptions {
  /** Milliseconds to wait for the outcome; 0 answers at once. */
  waitMs?: number;
}

export class SandboxService {
  constructor(private readonly d: SandboxServiceDeps) {}

  /** Resolves the sandbox in the caller's organization or answers not found (never forbidden). */
  async get(p: Principal, idOrName: string): Promise<Sandbox> {
    const s = await this.d.repo.get(p.organizationId, idOrName);
    if (!s) throw notFound(`sandbox ${idOrName}`, 'list your sandboxes with GET /api/sandbox or `berth sandbox list`');
    return s;
  }

  list(p: Principal, filter: ListFilter, page: ListPage) {
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

  private async ensureEngine(): Promise<void> {
    const h = await this.d.runner.health();
    if (!h.ok) {
      throw new AppError('unavailable', `the Docker engine is not reachable: ${h.error ?? 'unknown error'}`, {
        hint: 'start the Docker engine (`berth up` does it on Debian); existing sandboxes keep their state and resume when it is back',
      });
    }
  }

  async create(p: Principal, raw: unknown, opts: WaitOptions & { idempotencyKey?: string } = {}): Promise<Sandbox> {
    requirePermission(p, 'write:sandboxes');
    const input = parseCreateInput(raw);
    const c = this.d.config;
    const now = this.d.clock.now().getTime();
    const requestHash = createHash('sha256').update(JSON.stringify(raw ?? {})).digest('hex');
    if (opts.idempotencyKey) {
      const prior = await this.d.repo.findIdempotent(p.organizationId, opts.idempotencyKey);
      if (prior) return this.replay(p, prior, requestHash, opts);
    }
    if (!isSystem(p)) await this.d.limiter?.take('create', p.organizationId);

    const snap = input.snapshot && this.d.snapshots ? await this.d.snapshots.choose(p, input.snapshot) : null;
    let image = input.image ?? snap?.imageName ?? input.snapshot ?? c.defaultImage;
    if (input.dockerfile !== undefined) {
      const plain = imageFromDockerfile(input.dockerfile);
      if (!plain) {
        throw new AppError('not_implemented', 'building sandbox images from a Dockerfile is not supported yet', {
          hint: 'build the image with `docker build` on the Berth host and create the sandbox with that image name',
        });
      }
      image = plain;
    }
    const lim = this.limits();
    const cpu = input.cpu ?? snap?.cpu ?? Math.min(c.defaultCpu, lim.maxCpu);
    const memory = input.memory ?? snap?.memory ?? Math.min(c.defaultMemoryGiB, lim.maxMemoryGiB);
    const disk = input.disk ?? snap?.disk ?? Math.min(c.defaultDiskGiB, lim.maxDiskGiB);
    const over: string[] = [];
    if (cpu > lim.maxCpu) over.push(`cpu ${cpu} > ${lim.maxCpu}`);
    if (memory > lim.maxMemoryGiB) over.push(`memory ${memory} GiB > ${lim.maxMemoryGiB} GiB`);
    if (disk > lim.maxDiskGiB) over.push(`disk ${disk} GiB > ${lim.maxDiskGiB} GiB`);
    if (memory < 0.125) over.push('memory below 0.125 GiB');
    if (over.length) {
      throw new AppError('invalid_argument', `resources over this server's per-sandbox limits: ${over.join(', ')}`, {
        hint: `ask for at most cpu ${lim.maxCpu}, memory ${lim.maxMemoryGiB} GiB, disk ${lim.maxDiskGiB} GiB`,
        details: { limits: lim },
      });
    }
    const net = await this.networkAndRuntime(p, input);
    const secretRefs = input.secrets?.length ? await this.secretRefs(p, input.secrets) : [];
    const name = input.name ?? undefined;
    if (name && (await this.d.repo.nameTaken(p.organizationId, name))) {
      throw new AppError('conflict', `a sandbox named ${name} already exists`, { hint: 'pick another name or delete the existing sandbox' });
    }
    await this.ensureEngine();
    const imageConfig = await this.d.runner.inspectImage(image);
    if (!imageConfig) {
      throw new AppError('invalid_argument', `image ${image} is not available on this server`, {
        hint: image === c.defaultImage ? 'build it with `berth up` (or scripts/build-base-image.sh)' : 'load or build the image on the Berth host (`docker images` lists what exists), or omit it to use the default',
        reason: 'IMAGE_NOT_FOUND',
      });
    }
    const volumes = input.volumes?.length ? await this.d.volumes!.resolveMounts(p, input.volumes) : [];
    const id = newId();
    const row: Partial<SandboxRow> = {
      id,
      organization_id: p.organizationId,
      name: name ?? id,
      runner_id: this.d.runner.id,
      image,
      snapshot: snap?.name ?? input.snapshot ?? (input.image || input.dockerfile ? null : image),
      os_user: input.user ?? null,
      env: input.env ?? {},
      cpu,
      gpu: 0,
      memory,
      disk,
      public: input.public ?? false,
      network_block_all: net.blockAll,
      network_allow_list: net.allowList.length ? net.allowList.join(',') : null,
      domain_allow_list: net.domains.length ? net.domains.join(',') : null,
      secrets: secretRefs.length ? secretRefs : null,
      runtime: net.runtime,
      target: input.target ?? 'local',
      state: 'creating',
      desired_state: 'started',
      error_reason: null,
      recoverable: false,
      auto_stop_interval: input.autoStopInterval ?? c.autoStopMinutes,
      auto_archive_interval: input.autoArchiveInterval ?? c.autoArchiveMinutes,
      auto_delete_interval: input.autoDeleteInterval === undefined ? c.autoDeleteMinutes : input.autoDeleteInterval < 0 ? -1 : input.autoDeleteInterval,
      image_config: snap?.entrypoint?.length ? { ...imageConfig, command: snap.entrypoint } : imageConfig,
      volumes: volumes.length ? volumes : null,
      build_info: input.dockerfile ? { dockerfileContent: input.dockerfile } : null,
      fence: 0,
      created_at: now,
      updated_at: now,
      state_updated_at: now,
      last_activity_at: now,
    };
    let created: Sandbox;
    // The quota check and the insert are one step: nothing is written for a rejected create.
    const insert = async () => {
      await this.d.quotas?.checkSandboxes(p.organizationId, { count: 1, cpu, memoryGiB: memory, diskGiB: disk });
      return this.d.repo.insert(row, input.labels ?? {}, opts.idempotencyKey ? { key: opts.idempotencyKey, hash: requestHash, now } : undefined);
    };
    try {
      created = this.d.quotas ? await this.d.quotas.guard(p.organizationId, insert) : await insert();
    } catch (e) {
      if (!/unique|duplicate/i.test((e as Error).message)) throw e;
      if (opts.idempotencyKey) {
        const prior = await this.d.repo.findIdempotent(p.organizationId, opts.idempotencyKey);
        if (prior) return this.replay(p, prior, requestHash, opts);
      }
      throw new AppError('conflict', `a sandbox named ${name} already exists`, { hint: 'pick another name or delete the existing sandbox' });
    }
    crashpoint('create:inserted');
    await this.d.bus.publish(SANDBOX_EVENTS.created, { organizationId: p.organizationId, sandbox: created } satisfies SandboxEvent).catch(() => {});
    void this.d.reconciler.kick(id);
    return this.settle(p, created, opts.waitMs);
  }

  /** Network policy and runtime of a new sandbox: the request's, else the organization's defaults; gVisor where this host can run it. */
  private async networkAndRuntime(p: Principal, input: ReturnType<typeof parseCreateInput>): Promise<{ blockAll: boolean; allowList: string[]; domains: string[]; runtime: 'runc' | 'gvisor' }> {
    const defaults = (await this.d.orgDefaults?.get(p.organizationId)) ?? null;
    const given = input.networkBlockAll !== undefined || input.networkAllowList !== undefined || input.domainAllowList !== undefined;
    let blockAll = input.networkBlockAll ?? (given ? false : (defaults?.networkBlockAll ?? false));
    const allowList = input.networkAllowList ?? (given ? [] : (defaults?.networkAllowList ?? []));
    const domains = input.domainAllowList ?? (given ? [] : (defaults?.domainAllowList ?? []));
    const runtime = input.runtime ?? defaults?.runtime ?? 'runc';
    if (runtime === 'gvisor') {
      const gvisor = this.d.runner.engineInfo()?.gvisor ?? 'unavailable';
      if (gvisor === 'unavailable') {
        throw new AppError('invalid_argument', 'the gVisor runtime is not available on this host', { hint: 'run `berth setup` as root (it installs the Debian package runsc and registers it with Docker) and restart Berth, or use the default runtime' });
      }
      if (gvisor === 'no-network' && !blockAll) {
        if (input.networkBlockAll === false || allowList.length || domains.length) {
          throw new AppError('invalid_argument', 'gVisor sandboxes cannot have a network on this host (its runsc only runs with --network=none)', { hint: 'create it with networkBlockAll: true, or use the default runtime (runc) for networked sandboxes' });
        }
        blockAll = true;
      }
    }
    return { blockAll, allowList: blockAll ? [] : allowList, domains: blockAll ? [] : domains, runtime };
  }

  private async secretRefs(p: Principal, raw: unknown): Promise<SecretRef[]> {
    if (!this.d.secrets) throw new AppError('not_implemented', 'secrets are not available on this server');
    return this.d.secrets.refs(p, raw);
  }

  private async replay(p: Principal, prior: { sandboxId: string; hash: string }, hash: string, opts: WaitOptions): Promise<Sandbox> {
    if (prior.hash !== hash) {
      throw new AppError('conflict', 'this Idempotency-Key was already used for a different request', { hint: 'use a new key for a new request' });
    }
    const s = await this.d.repo.get(p.organizationId, prior.sandboxId);
    if (!s) throw notFound(`sandbox ${prior.sandboxId} (created with this Idempotency-Key)`, 'it was deleted since; use a new key to create another');
    return this.settle(p, s, opts.waitMs);
  }

  /** Waits (bounded) until the reconciler has nothing left to do for the sandbox. */
  async settle(p: Principal, s: Sandbox, waitMs = this.d.config.requestWaitSeconds * 1000): Promise<Sandbox> {
    if (waitMs <= 0 || settled(s.state, s.desiredState)) return s;
    const done = (x: Sandbox) => settled(x.state, x.desiredState) || x.state === 'error';
    return new Promise<Sandbox>((resolve) => {
      let finished = false;
      const finish = async () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearInterval(poll);
        off();
        resolve((await this.d.repo.get(p.organizationId, s.id)) ?? { ...s, state: 'destroyed' });
      };
      const check = async () => {
        const cur = await this.d.repo.get(p.organizationId, s.id).catch(() => s);
        if (!cur || done(cur)) void finish();
      };
      const off = this.d.bus.subscribe(SANDBOX_EVENTS.stateUpdated, (ev) => {
        if ((ev as SandboxEvent).sandbox.id === s.id) void check();
      });
      const poll = setInterval(() => void check(), 1000);
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
        throw new AppError('failed_precondition', `cannot ${action} sandbox ${s.name}: it is ${s.state}`, { hint: ACTIONS[action].hint(s.state), details: { state: s.state } });
      }
      if (action !== 'delete' && s.desiredState === 'destroyed') {
        throw new AppError('failed_precondition', `sandbox ${s.name} is being deleted`, { hint: 'create a new sandbox' });
      }
      if (action === 'start' && s.state === 'error') {
        // A person asked to try again: clear the error and let the reconciler look.
        await this.startingGuard(s, () => this.d.repo.patch(s.id, { state: 'unknown', error_reason: null, recoverable: false, desired_state: 'started', updated_at: this.d.clock.now().getTime() }));
      } else if (s.desiredState !== target) {
        if (action !== 'delete') await this.ensureEngine();
        const set = () => this.d.repo.setDesired(s.id, target, s.desiredState, this.d.clock.now().getTime());
        if (!(await (target === 'started' ? this.startingGuard(s, set) : set()))) continue; // raced another request
        const changed = await this.d.repo.get(p.organizationId, s.id);
        if (changed) await this.d.bus.publish(SANDBOX_EVENTS.desiredStateUpdated, { organizationId: p.organizationId, sandbox: changed, oldDesiredState: s.desiredState, newDesiredState: target }).catch(() => {});
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
    if (!parsed.success) throw new AppError('invalid_argument', `invalid labels: ${parsed.error.issues.map((i) => i.message).join('; ')}`, { hint: 'labels are a map of string keys to string values' });
    const s = await this.updatable(p, idOrName);
    await this.d.repo.replaceLabels(s.id, parsed.data, this.d.clock.now().getTime());
    return this.get(p, s.id);
  }

  async setIntervals(p: Principal, idOrName: string, v: { autoStop?: number; autoArchive?: number; autoDelete?: number }): Promise<Sandbox> {
    const check = (name: string, n: number | undefined, min: number) => {
      if (n !== undefined && (!Number.isInteger(n) || n < min)) throw new AppError('invalid_argument', `${name} must be a whole number of minutes ≥ ${min}`, { hint: name === 'autoDeleteInterval' ? 'use -1 to never delete, 0 to delete on stop' : 'use 0 to disable' });
    };
    check('autoStopInterval', v.autoStop, 0);
    check('autoArchiveInterval', v.autoArchive, 0);
    check('autoDeleteInterval', v.autoDelete, -1_000_000);
    const s = await this.updatable(p, idOrName);
    const now = this.d.clock.now().getTime();
    const fields: Partial<SandboxRow> = { updated_at: now };
    if (v.autoStop !== undefined) fields.auto_stop_interval = v.autoStop;
    if (v.autoArchive !== undefined) fields.auto_archive_interval = v.autoArchive;
    if (v.autoDelete !== undefined) fields.auto_delete_interval = v.autoDelete < 0 ? -1 : v.autoDelete;
    await this.d.repo.patch(s.id, fields);
    void this.d.reconciler.kick(s.id);
    return this.get(p, s.id);
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
      throw new AppError('failed_precondition', `sandbox ${s.name} is being deleted`, { hint: ACTIONS.update.hint(s.state) });
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
    const s = await this.get(p, idOrName);
    if (!actionAllowed('toolbox', s.state) || s.desiredState !== 'started') {
      throw new AppError('failed_precondition', `sandbox ${s.name} is ${s.desiredState !== 'started' && s.state === 'started' ? 'stopping' : s.state}`, { hint: ACTIONS.toolbox.hint(s.state), reason: 'SANDBOX_NOT_STARTED', details: { state: s.state } });
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
      network: { blockAll: s.networkBlockAll, allowList: s.networkAllowList ? s.networkAllowList.split(',') : [], domains: s.domainAllowList ? s.domainAllowList.split(',') : [] },
      runtime: s.runtime,
      imageConfig,
      volumes: s.volumes,
    };
  }
}

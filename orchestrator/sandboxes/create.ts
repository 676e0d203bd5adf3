// Creating a sandbox: validation, resolution of snapshot, image, resources,
// network policy, secrets and volumes, then one guarded insert (quota check
// and write together; Idempotency-Key replays), then the reconciler takes over.
import { createHash } from 'node:crypto';
import { AppError, notFound } from '../../common/errors.js';
import { crashpoint } from '../../common/crashpoint.js';
import { newId } from '../../common/ids.js';
import { isSystem, type Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';
import type { SecretRef } from '../secrets/service.js';
import { imageFromDockerfile, parseCreateInput } from './create-input.js';
import { DEFAULT_TARGET, SANDBOX_EVENTS, type Sandbox, type SandboxEvent } from './model.js';
import type { CreateOptions, SandboxServiceDeps, WaitOptions } from './service.js';
import { effectiveUser } from '../../common/wire/runner.js';
import type { WarmPick } from '../warmpool/pool.js';
import type { SandboxRow } from './row.js';
import type { ImageConfig } from '../../common/wire/runner.js';

/** A sandbox whose image the caller made already (a fork): its id, image and image config. */
export interface CreatePreset {
  id: string;
  image: string;
  imageConfig: ImageConfig | null;
}

export interface CreatorContext {
  limits(): { maxCpu: number; maxMemoryGiB: number; maxDiskGiB: number };
  ensureEngine(): Promise<void>;
  settle(p: Principal, s: Sandbox, waitMs?: number): Promise<Sandbox>;
}

export class SandboxCreator {
  constructor(
    private readonly d: SandboxServiceDeps,
    private readonly ctx: CreatorContext,
  ) {}

  async create(p: Principal, raw: unknown, opts: CreateOptions = {}): Promise<Sandbox> {
    requirePermission(p, 'write:sandboxes');
    const input = parseCreateInput(raw);
    const c = this.d.config;
    const now = this.d.clock.now().getTime();
    const requestHash = createHash('sha256')
      .update(JSON.stringify(raw ?? {}))
      .digest('hex');
    if (opts.idempotencyKey) {
      const prior = await this.d.repo.findIdempotent(p.organizationId, opts.idempotencyKey);
      if (prior) return this.replay(p, prior, requestHash, opts);
    }
    if (!isSystem(p)) await this.d.limiter?.take('create', p.organizationId);
    // The engine ping is a round trip to dockerd: it runs while the store is read below, and is awaited
    // where it always was, so a bad request still gets its 400 before an engine that is down gets its 503.
    const engine = this.ctx.ensureEngine();
    engine.catch(() => {});

    const snap = input.snapshot && this.d.snapshots ? await this.d.snapshots.choose(p, input.snapshot) : null;
    let image = opts.preset?.image ?? input.image ?? snap?.imageName ?? input.snapshot ?? c.defaultImage;
    let build: { dockerfile: string; contextHashes: string[] } | null = null;
    if (input.dockerfile !== undefined) {
      const contextHashes = input.contextHashes ?? [];
      const plain = contextHashes.length ? null : imageFromDockerfile(input.dockerfile);
      if (plain) image = plain;
      else {
        if (!this.d.builds) throw new AppError('not_implemented', 'this server does not build images');
        build = { dockerfile: input.dockerfile, contextHashes };
        await this.d.builds.validate(p.organizationId, build.dockerfile, contextHashes);
      }
    }
    // The image's config is a dockerd round trip too: read while the checks below run, awaited after them.
    const inspecting =
      build || snap?.imageConfig || opts.preset?.imageConfig ? null : this.d.runner.inspectImage(image);
    inspecting?.catch(() => {});
    const lim = this.ctx.limits();
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
      throw new AppError('conflict', `a sandbox named ${name} already exists`, {
        hint: 'pick another name or delete the existing sandbox',
      });
    }
    await engine;
    // A dynamic image is built (or its cached build reused); an image not on the host is pulled first.
    const built = build
      ? await this.d.builds!.request(p.organizationId, 'dynamic', build.dockerfile, build.contextHashes)
      : null;
    if (built) image = built.imageRef;
    const imageConfig =
      built && built.state !== 'done'
        ? null
        : (snap?.imageConfig ?? opts.preset?.imageConfig ?? (await (inspecting ?? this.d.runner.inspectImage(image))));
    if (!imageConfig && !built && image === c.defaultImage) {
      throw new AppError('invalid_argument', `image ${image} is not available on this server`, {
        hint: 'build it with `berth up` (or scripts/build-base-image.sh)',
        reason: 'IMAGE_NOT_FOUND',
      });
    }
    // An image to pull: its registry is asked first, so a wrong name or password fails now, not after the create.
    if (!imageConfig && !built)
      await this.d.runner.checkImage(image, (await this.d.registryAuth?.(p.organizationId, image)) ?? null);
    const firstState = imageConfig ? 'creating' : built ? 'pending_build' : 'pulling_snapshot';
    const volumes = input.volumes?.length ? await this.d.volumes!.resolveMounts(p, input.volumes) : [];
    const command = snap?.entrypoint?.length ? snap.entrypoint : (imageConfig?.command ?? []);
    const user = effectiveUser(input.user, imageConfig?.user);
    // An image still to be built or pulled, or a fork's own image, has nothing warm to claim.
    let warm: WarmPick =
      this.d.warmPool && imageConfig && !opts.preset
        ? await this.d.warmPool.pick(
            { image, command, user, cpu, memory, disk, runtime: net.runtime, volumes: volumes.length },
            imageConfig.id,
          )
        : { miss: 'off' };
    const local = this.d.runner.id;
    const runnerId = this.d.placement
      ? await this.d.placement.place({
          cpu,
          memoryGiB: memory,
          diskGiB: disk,
          runtime: net.runtime,
          network: !net.blockAll,
          target: input.target,
          localOnly: volumes.length
            ? 'volumes are stored on the API host'
            : opts.preset
              ? "a fork's image is on the API host"
              : undefined,
          prefer: 'ids' in warm && warm.ids.length ? local : undefined,
        })
      : local;
    // Warm sandboxes are the embedded runner's.
    if (runnerId !== local) warm = { miss: 'runner' };
    const id = opts.preset?.id ?? newId();
    const row: Partial<SandboxRow> = {
      id,
      organization_id: p.organizationId,
      name: name ?? id,
      runner_id: runnerId,
      image,
      snapshot: snap?.name ?? input.snapshot ?? (input.image || input.dockerfile || opts.preset ? null : image),
      os_user: input.user ?? null,
      env: input.env ?? {},
      cpu,
      gpu: 0,
      memory,
      disk,
      public: input.public ?? false,
      auto_start_on_request: input.autoStartOnRequest ?? null,
      network_block_all: net.blockAll,
      network_allow_list: net.allowList.length ? net.allowList.join(',') : null,
      domain_allow_list: net.domains.length ? net.domains.join(',') : null,
      secrets: secretRefs.length ? secretRefs : null,
      runtime: net.runtime,
      target: input.target ?? DEFAULT_TARGET,
      state: firstState,
      desired_state: 'started',
      error_reason: null,
      recoverable: false,
      auto_stop_interval: input.autoStopInterval ?? c.autoStopMinutes,
      auto_archive_interval: input.autoArchiveInterval ?? c.autoArchiveMinutes,
      auto_delete_interval:
        input.autoDeleteInterval === undefined
          ? c.autoDeleteMinutes
          : input.autoDeleteInterval < 0
            ? -1
            : input.autoDeleteInterval,
      auto_pause_interval: input.autoPauseInterval ?? 0,
      image_config:
        imageConfig && snap?.entrypoint?.length ? { ...imageConfig, command: snap.entrypoint } : imageConfig,
      build_id: built && built.state !== 'done' ? built.id : null,
      volumes: volumes.length ? volumes : null,
      build_info: input.dockerfile
        ? {
            dockerfileContent: input.dockerfile,
            ...(input.contextHashes?.length ? { contextHashes: input.contextHashes } : {}),
            ...(built ? { snapshotRef: built.imageRef } : {}),
          }
        : null,
      fence: 0,
      created_at: now,
      updated_at: now,
      state_updated_at: now,
      last_activity_at: now,
    };
    let created: Sandbox;
    let claimed = false;
    // The quota check and the insert are one step: nothing is written for a rejected create.
    const insert = async () => {
      await this.d.quotas?.checkSandboxes(p.organizationId, { count: 1, cpu, memoryGiB: memory, diskGiB: disk });
      const idem = opts.idempotencyKey ? { key: opts.idempotencyKey, hash: requestHash, now } : undefined;
      // A warm member's id becomes the sandbox's: its container, folder and daemon already carry it.
      for (const member of 'ids' in warm ? warm.ids : []) {
        const claim = { ...row, id: member, name: name ?? member };
        const s = await this.d.repo.insertClaiming(claim, input.labels ?? {}, idem, member);
        if (s) {
          claimed = true;
          return s;
        }
      }
      return this.d.repo.insert(row, input.labels ?? {}, idem);
    };
    try {
      created = this.d.quotas ? await this.d.quotas.guard(p.organizationId, insert) : await insert();
    } catch (e) {
      // A build this refused create started would run for nobody.
      if (built && !built.reused)
        await this.d.builds?.cancel(built.id, 'the create that asked for this build was refused').catch(() => {});
      if (!/unique|duplicate/i.test((e as Error).message)) throw e;
      if (opts.idempotencyKey) {
        const prior = await this.d.repo.findIdempotent(p.organizationId, opts.idempotencyKey);
        if (prior) return this.replay(p, prior, requestHash, opts);
      }
      throw new AppError('conflict', `a sandbox named ${name} already exists`, {
        hint: 'pick another name or delete the existing sandbox',
      });
    }
    crashpoint(claimed ? 'claim:inserted' : 'create:inserted');
    opts.onWarm?.(claimed ? 'hit' : `miss; reason=${'miss' in warm ? warm.miss : 'raced'}`);
    await this.d.bus
      .publish(SANDBOX_EVENTS.created, { organizationId: p.organizationId, sandbox: created } satisfies SandboxEvent)
      .catch(() => {});
    void this.d.reconciler.kick(created.id);
    try {
      return await this.ctx.settle(p, created, opts.waitMs);
    } finally {
      // The refill (a container start) waits until this claim is answered: on a small host it would slow it.
      if (claimed) this.d.warmPool?.kick();
    }
  }

  /** Network policy and runtime of a new sandbox: the request's, else the organization's defaults; gVisor where this host can run it. */
  private async networkAndRuntime(
    p: Principal,
    input: ReturnType<typeof parseCreateInput>,
  ): Promise<{ blockAll: boolean; allowList: string[]; domains: string[]; runtime: 'runc' | 'gvisor' }> {
    const defaults = (await this.d.orgDefaults?.get(p.organizationId)) ?? null;
    const given =
      input.networkBlockAll !== undefined ||
      input.networkAllowList !== undefined ||
      input.domainAllowList !== undefined;
    let blockAll = input.networkBlockAll ?? (given ? false : (defaults?.networkBlockAll ?? false));
    const allowList = input.networkAllowList ?? (given ? [] : (defaults?.networkAllowList ?? []));
    const domains = input.domainAllowList ?? (given ? [] : (defaults?.domainAllowList ?? []));
    const runtime = input.runtime ?? defaults?.runtime ?? 'runc';
    if (runtime === 'gvisor') {
      // Refused here only when no runner could ever run it; which runner can take it now is placement's question.
      const modes = this.d.placement
        ? await this.d.placement.gvisorModes()
        : [this.d.runner.engineInfo()?.gvisor ?? 'unavailable'];
      if (!modes.some((m) => m !== 'unavailable')) {
        throw new AppError('invalid_argument', 'the gVisor runtime is not available on this host or its runners', {
          hint: 'run `berth setup` as root (it installs the Debian package runsc and registers it with Docker) and restart Berth, or use the default runtime',
        });
      }
      if (!modes.includes('available') && !blockAll) {
        if (input.networkBlockAll === false || allowList.length || domains.length) {
          throw new AppError(
            'invalid_argument',
            'gVisor sandboxes cannot have a network on this host or its runners (their runsc only runs with --network=none)',
            { hint: 'create it with networkBlockAll: true, or use the default runtime (runc) for networked sandboxes' },
          );
        }
        // Nobody asked for a network: the sandbox gets none rather than a refusal.
        blockAll = true;
      }
    }
    return { blockAll, allowList: blockAll ? [] : allowList, domains: blockAll ? [] : domains, runtime };
  }

  private async secretRefs(p: Principal, raw: unknown): Promise<SecretRef[]> {
    if (!this.d.secrets) throw new AppError('not_implemented', 'secrets are not available on this server');
    return this.d.secrets.refs(p, raw);
  }

  private async replay(
    p: Principal,
    prior: { sandboxId: string; hash: string },
    hash: string,
    opts: WaitOptions,
  ): Promise<Sandbox> {
    if (prior.hash !== hash) {
      throw new AppError('conflict', 'this Idempotency-Key was already used for a different request', {
        hint: 'use a new key for a new request',
      });
    }
    const s = await this.d.repo.get(p.organizationId, prior.sandboxId);
    if (!s)
      throw notFound(
        `sandbox ${prior.sandboxId} (created with this Idempotency-Key)`,
        'it was deleted since; use a new key to create another',
      );
    return this.ctx.settle(p, s, opts.waitMs);
  }
}

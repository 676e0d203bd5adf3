// The embedded runner: brings sandboxes to a target state on one Docker host.
// Every operation is idempotent and re-derives what exists from the engine and
// the archive store, so a crash at any point is repaired by calling it again.
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../common/errors.js';
import { crashpoint } from '../common/crashpoint.js';
import { randomToken } from '../common/ids.js';
import type { Logger } from '../common/log.js';
import {
  effectiveUser,
  isRootUser,
  type EngineInfo,
  type ImageBuildRequest,
  type ImageConfig,
  type NetworkPolicy,
  type ObservedSandbox,
  type RegistryCredentials,
  type ResourceLimits,
  type RunnerClient,
  type RunnerHealth,
  type SandboxDaemon,
  type SandboxRuntimeSpec,
  type SandboxStats,
} from '../common/wire/runner.js';
import { SANDBOX_PATHS } from '../common/wire/daemon.js';
import { DaemonClient } from './daemon-client.js';
import { registerRunnerMetrics } from './metrics.js';
import type { Metrics } from '../common/metrics.js';
import { DaemonLink } from './daemon-link.js';
import { unlessExited } from './exit-watch.js';
import { NetnsPool, findPauseBinary } from './netns-pool.js';
import { prepareDaemonBundle, type DaemonBundle } from './daemon-bundle.js';
import { KeyedMutex } from './keyed-mutex.js';
import { Egress } from './egress.js';
import { SubpathMounts } from './subpath-mounts.js';
import type { ContainerRuntime, ContainerSpec, ContainerState } from './runtime/interface.js';
import { gvisorMode } from './runtime/gvisor-mode.js';
import { adjustRunning, appliedBy, pushEnv, type AdjustDeps, type Applied } from './applied.js';
import type { S3ArchiveStore } from './archive-store.js';

export interface RunnerOptions {
  id: string;
  home: string;
  /** BERTH_RUNTIME_DIR: a daemon folder shared with other servers (never pruned); default BERTH_HOME/runtime. */
  runtimeDir?: string;
  runtime: ContainerRuntime;
  log: Logger;
  daemonJs: string;
  networkName: string;
  networkSubnet: string;
  enforceEgress: boolean;
  pidsLimit: number;
  maxOutputBytes: number;
  daemonReadyMs: number;
  /** Network namespaces kept ready for new sandboxes (0 = none). */
  netnsPoolSize?: number;
  /** DNS server (ip[:port]) the domain allow-list resolver asks; default: the host's first nameserver. */
  egressDnsUpstream?: string;
  /** Keeps archives in an object store instead of BERTH_HOME/archives (BERTH_ARCHIVE_STORE=s3). */
  archiveStore?: S3ArchiveStore;
  /** The server's metrics registry: capacity, pool and daemon links are reported there. */
  metrics?: Metrics;
}

const GiB = 1024 ** 3;
/** Engine name of a volume's storage. */
const volumeName = (volumeId: string) => `berth-vol-${volumeId}`;
/** Owner of a new volume's root: the default sandbox user. */
const VOLUME_OWNER = { uid: 1000, gid: 1000 };
/** Capabilities a sandbox that explicitly runs as root gets back; a non-root user has none. */
const ROOT_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'];

export class Runner implements RunnerClient {
  readonly id: string;
  private readonly links = new Map<string, DaemonLink>();
  private readonly applied = new Map<string, Applied>();
  private readonly claimDeps: AdjustDeps;
  private readonly mutex = new KeyedMutex();
  private readonly egress: Egress;
  private bundle: DaemonBundle | null = null;
  private engine: EngineInfo | undefined;
  private readonly archivesDir: string;
  private readonly sandboxesDir: string;
  private readonly subpaths: SubpathMounts;
  private readonly pool: NetnsPool;

  constructor(private readonly o: RunnerOptions) {
    this.pool = new NetnsPool({
      runtime: o.runtime,
      runnerId: o.id,
      network: o.networkName,
      size: o.netnsPoolSize ?? 0,
      binary: findPauseBinary(),
      log: o.log,
    });
    this.id = o.id;
    this.egress = new Egress(o.log, o.enforceEgress, o.egressDnsUpstream);
    this.claimDeps = { runtime: o.runtime, egress: this.egress, network: o.networkName };
    this.subpaths = new SubpathMounts(join(o.home, 'mounts'), o.log);
    this.archivesDir = join(o.home, 'archives');
    this.sandboxesDir = join(o.home, 'sandboxes');
    if (o.metrics) registerRunnerMetrics(o.metrics, this, o.netnsPoolSize ?? 0);
  }

  private initializing: Promise<EngineInfo> | null = null;

  /** Connects to the engine, creates the network and egress rules, prepares the daemon bundle. */
  init(): Promise<EngineInfo> {
    if (this.engine) return Promise.resolve(this.engine);
    this.initializing ??= this.initOnce().finally(() => (this.initializing = null));
    return this.initializing;
  }

  private async initOnce(): Promise<EngineInfo> {
    mkdirSync(this.archivesDir, { recursive: true });
    mkdirSync(this.sandboxesDir, { recursive: true });
    this.bundle =
      this.o.runtime.prepareDaemon?.(this.o.home, this.o.daemonJs) ??
      prepareDaemonBundle(this.o.runtimeDir ?? join(this.o.home, 'runtime'), this.o.daemonJs, {
        prune: !this.o.runtimeDir,
      });
    await this.subpaths.releaseAll();
    const info = await this.o.runtime.info();
    const net = await this.o.runtime.ensureNetwork(this.o.networkName, this.o.networkSubnet);
    const egress = await this.egress.install(net);
    this.pool.init();
    this.engine = {
      engine: info.engine,
      version: info.version,
      runtimes: info.runtimes,
      storageDriver: info.storageDriver,
      backingFilesystem: info.backingFilesystem,
      cgroupVersion: info.cgroupVersion,
      cpus: info.cpus,
      memoryBytes: info.memoryBytes,
      diskLimit: info.diskQuota ? 'enforced' : 'watched',
      egress,
      gvisor: gvisorMode(info),
    };
    return this.engine;
  }

  engineInfo(): EngineInfo | undefined {
    return this.engine;
  }

  /** Network namespaces ready for the next creates (diagnostics, metrics and tests). */
  readyNetns(): number {
    return this.pool.readyCount;
  }

  /** Sandbox daemons linked to this runner right now (metrics). */
  daemonLinksUp(): number {
    let n = 0;
    for (const l of this.links.values()) if (l.connected) n++;
    return n;
  }

  /** Egress rules and recent resolver answers of one sandbox (diagnostics and tests). */
  egressState(sandboxId: string) {
    return this.egress.state(sandboxId);
  }

  async health(): Promise<RunnerHealth> {
    try {
      await this.init();
      await this.o.runtime.ping();
      return { ok: true, engine: this.engine };
    } catch (e) {
      return { ok: false, engine: this.engine, error: (e as Error).message };
    }
  }

  inspectImage(ref: string): Promise<ImageConfig | null> {
    return this.o.runtime.imageConfig(ref);
  }

  private runDir(sandboxId: string) {
    return join(this.sandboxesDir, sandboxId, 'run');
  }

  private archivePath(sandboxId: string) {
    return join(this.archivesDir, `${sandboxId}.tar`);
  }

  /** The per-sandbox secret survives server restarts so a running daemon can reconnect. */
  private link(sandboxId: string): DaemonLink {
    let l = this.links.get(sandboxId);
    if (!l) {
      const dir = this.runDir(sandboxId);
      let secret: string;
      try {
        secret = readFileSync(join(dir, 'secret'), 'utf8').trim();
      } catch {
        secret = randomToken(32);
      }
      l = new DaemonLink(sandboxId, dir, secret, this.o.log);
      this.links.set(sandboxId, l);
    }
    return l;
  }

  async observe(sandboxId: string): Promise<ObservedSandbox> {
    const st = await this.o.runtime.inspect(sandboxId);
    const link = this.links.get(sandboxId);
    return {
      exists: !!st,
      running: !!st?.running,
      paused: !!st?.paused,
      ready: !!st?.running && !!link?.connected,
      archived:
        existsSync(this.archivePath(sandboxId)) || (!st && ((await this.o.archiveStore?.exists(sandboxId)) ?? false)),
      exitCode: st?.exitCode,
      oomKilled: st?.oomKilled,
    };
  }

  private containerSpec(spec: SandboxRuntimeSpec, image: string, imageConfig: ImageConfig): ContainerSpec {
    if (!this.bundle) throw new AppError('unavailable', 'runner not initialised');
    const user = effectiveUser(spec.user, imageConfig.user);
    return {
      sandboxId: spec.sandboxId,
      runnerId: this.id,
      organizationId: spec.organizationId,
      image,
      entrypoint: this.bundle.entrypoint,
      env: {
        ...spec.env,
        BERTH_SANDBOX_ID: spec.sandboxId,
        BERTH_IMAGE_CMD: JSON.stringify(imageConfig.command),
        BERTH_WORKDIR: imageConfig.workdir,
        BERTH_MAX_OUTPUT: String(this.o.maxOutputBytes),
      },
      user,
      workdir: imageConfig.workdir || '/',
      mounts: [
        { source: this.bundle.dir, target: SANDBOX_PATHS.bin, readOnly: true },
        { source: this.runDir(spec.sandboxId), target: SANDBOX_PATHS.run, readOnly: true },
        // Subpath mounts come from staging points the runner prepares before each start.
        ...(spec.volumes ?? []).flatMap((v, i) =>
          v.subpath ? [{ source: this.subpaths.target(spec.sandboxId, i), target: v.mountPath, readOnly: false }] : [],
        ),
      ],
      volumes: (spec.volumes ?? [])
        .filter((v) => !v.subpath)
        .map((v) => ({ name: volumeName(v.volumeId), target: v.mountPath })),
      cpu: spec.cpu,
      memoryBytes: Math.round(spec.memoryGiB * GiB),
      diskBytes: Math.round(spec.diskGiB * GiB),
      pidsLimit: this.o.pidsLimit,
      // Always joined, detached while blocked: network access can then be switched live.
      network: this.o.networkName,
      networkDetached: spec.network.blockAll,
      runtime: spec.runtime,
      capAdd: isRootUser(user) ? ROOT_CAPS : [],
      pooled: spec.pooled,
    };
  }

  ensureStarted(spec: SandboxRuntimeSpec): Promise<void> {
    return this.mutex.run(spec.sandboxId, async () => {
      const id = spec.sandboxId;
      const link = this.link(id);
      await link.listen();
      const known = this.applied.get(id);
      if (known && link.connected) {
        // Started by this process, and its daemon (PID 1) is still connected, so the
        // container runs: only what the spec changed is applied (a warm claim).
        await adjustRunning(this.claimDeps, spec, known, new DaemonClient(link));
        return;
      }
      // Holders are made between starts, not during them: a burst of creates would otherwise also pay
      // for holders it cannot use (they are made one at a time, each a container start of its own).
      await this.pool.during(() => this.startCold(spec, link));
    });
  }

  /** Creates (or restores) and starts the sandbox's container, and waits for its daemon. */
  private async startCold(spec: SandboxRuntimeSpec, link: DaemonLink): Promise<void> {
    const id = spec.sandboxId;
    const archive = this.archivePath(id);
    const marker = join(this.sandboxesDir, id, 'restoring');
    const deletions = join(this.sandboxesDir, id, 'deletions.json');
    // What the start below needs to know of the container (null: there is none yet).
    let state: Pick<ContainerState, 'running' | 'netns'> | null = await this.o.runtime.inspect(id);
    let pinning: Promise<void> | null = null;
    if (state && existsSync(marker)) {
      // A restore was cut short: its container may hold half the files. Redo it.
      await this.o.runtime.remove(id);
      state = null;
    }
    if (!state) {
      if (!existsSync(archive)) await this.o.archiveStore?.get(id, archive);
      const restoring = existsSync(archive);
      const imageConfig = spec.imageConfig ?? (await this.o.runtime.imageConfig(spec.image));
      if (!imageConfig) {
        throw new AppError('invalid_argument', `image ${spec.image} is not available on this host`, {
          hint: 'build or load it first, or pick an existing snapshot',
          reason: 'IMAGE_NOT_FOUND',
        });
      }
      await this.checkVolumes(spec);
      // Only a restore reads the pin (a fresh container's image is the one asked for).
      const pinned = restoring && (await this.o.runtime.imageConfig(this.o.runtime.keepRef(id))) !== null;
      if (restoring) writeFileSync(marker, '');
      // gVisor here runs only without a network; blocked sandboxes keep their own detachable one.
      const netns = !spec.network.blockAll && spec.runtime !== 'gvisor' ? await this.pool.claim(id) : null;
      await this.o.runtime.create({
        ...this.containerSpec(spec, restoring && pinned ? this.o.runtime.keepRef(id) : spec.image, imageConfig),
        ...(netns ? { netns } : {}),
      });
      crashpoint('start:created');
      // A fresh container's pin is made while it starts and its daemon boots (it only matters once the
      // sandbox is archived); a restore pins before writing its files, as the archive is applied to it.
      if (!pinned && restoring) await this.o.runtime.keepBase(id, spec.image);
      else if (!pinned) {
        pinning = this.o.runtime.keepBase(id, spec.image);
        pinning.catch(() => {}); // awaited below; a start failing first must not leave it unhandled
      }
      if (restoring)
        writeFileSync(deletions, JSON.stringify(await this.o.runtime.importChanges(id, createReadStream(archive))));
      if (restoring) crashpoint('restore:imported');
      // Just created: not running, in the holder's namespace if it got one (no need to ask the engine).
      state = { running: false, netns };
    }
    const joining = state.running ? null : await this.startContainer(spec, !!state.netns);
    crashpoint('start:container-started');
    await unlessExited(Promise.all([link.waitConnected(this.o.daemonReadyMs), joining, pinning]), () =>
      this.o.runtime.inspect(id),
    );
    const daemon = new DaemonClient(link);
    await daemon.health();
    if (existsSync(deletions)) {
      const paths = JSON.parse(readFileSync(deletions, 'utf8')) as string[];
      if (paths.length) await daemon.call('POST', '/files/remove-paths', { body: { paths } });
      rmSync(deletions, { force: true });
    }
    // The container now holds every file: the marker goes first, then the archive.
    rmSync(marker, { force: true });
    rmSync(archive, { force: true });
    await this.o.archiveStore?.remove(id);
    const st = await this.o.runtime.inspect(id);
    const pooled = !!st?.pooled && !spec.pooled;
    if (pooled) {
      // A claimed warm sandbox started again (a restart, or a claim cut short):
      // its limits and network may still be the pool's.
      await this.o.runtime.update(id, { cpu: spec.cpu, memoryBytes: Math.round(spec.memoryGiB * GiB) });
      await this.o.runtime.setNetworkAttached(id, this.o.networkName, !spec.network.blockAll);
    }
    const ip = spec.network.blockAll ? null : (st?.ip ?? null);
    await this.egress.apply(id, ip, spec.network);
    const applied = appliedBy(spec, ip, !!st?.pooled);
    if (pooled) await pushEnv(spec, applied, daemon);
    this.applied.set(id, applied);
  }

  ensureStopped(sandboxId: string): Promise<void> {
    return this.mutex.run(sandboxId, async () => {
      this.applied.delete(sandboxId);
      const link = this.links.get(sandboxId);
      link?.dropSession();
      if ((await this.o.runtime.inspect(sandboxId))?.paused) await this.o.runtime.unpause(sandboxId); // a frozen process cannot take SIGTERM
      await this.o.runtime.stop(sandboxId, 5);
      crashpoint('stop:stopped');
      await this.egress.remove(sandboxId);
      if (link) {
        await link.close(false);
        this.links.delete(sandboxId);
      }
    });
  }

  ensureArchived(sandboxId: string): Promise<void> {
    return this.mutex.run(sandboxId, async () => {
      this.applied.delete(sandboxId);
      const archive = this.archivePath(sandboxId);
      const state = await this.o.runtime.inspect(sandboxId);
      if (state) {
        if (state.running) {
          this.links.get(sandboxId)?.dropSession();
          await this.o.runtime.stop(sandboxId, 5);
        }
        await this.egress.remove(sandboxId);
        await this.exportTo(sandboxId, archive);
        crashpoint('archive:exported');
        await this.o.archiveStore?.put(sandboxId, archive);
        await this.o.runtime.remove(sandboxId);
        crashpoint('archive:removed');
      } else if (existsSync(archive)) {
        await this.o.archiveStore?.put(sandboxId, archive); // exported before a crash, not yet moved
      } else if (!(await this.o.archiveStore?.exists(sandboxId))) {
        throw new AppError('failed_precondition', `sandbox ${sandboxId} has neither a container nor an archive`, {
          hint: 'its files are gone; delete the sandbox',
          recoverable: false,
          reason: 'SANDBOX_LOST',
        });
      }
      await this.pool.release(sandboxId);
      const link = this.links.get(sandboxId);
      if (link) {
        await link.close(false);
        this.links.delete(sandboxId);
      }
    });
  }

  /** Exports to a temporary file, fsyncs, then renames: an archive either exists whole or not at all. */
  private exportTo(sandboxId: string, archive: string): Promise<void> {
    return this.writeWhole(archive, (out) => this.o.runtime.exportChanges(sandboxId, out));
  }

  private async writeWhole(file: string, write: (out: Writable) => Promise<void>): Promise<void> {
    const tmp = `${file}.partial`;
    rmSync(tmp, { force: true });
    try {
      await write(createWriteStream(tmp));
      const fh = await open(tmp, 'r+');
      await fh.sync();
      await fh.close();
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** Takes over a lost runner's archive of the sandbox from the archive store; false when there is none. */
  adoptArchive(sandboxId: string, prefix: string): Promise<boolean> {
    return this.mutex.run(sandboxId, async () => (await this.o.archiveStore?.adopt(sandboxId, prefix)) ?? false);
  }

  readArchive(sandboxId: string): Promise<Readable> {
    return this.mutex.run(sandboxId, async () => {
      const archive = this.archivePath(sandboxId);
      if (!existsSync(archive) && !(await this.o.archiveStore?.get(sandboxId, archive)))
        throw new AppError('not_found', `sandbox ${sandboxId} has no archive on runner ${this.o.id}`, {
          hint: 'archive it first',
        });
      return createReadStream(archive);
    });
  }

  writeArchive(sandboxId: string, tar: Readable): Promise<void> {
    return this.mutex.run(sandboxId, async () => {
      if (await this.o.runtime.inspect(sandboxId))
        throw new AppError('failed_precondition', `sandbox ${sandboxId} has a container on runner ${this.o.id}`, {
          hint: 'an archive is only taken for a sandbox that is not here yet',
        });
      await this.writeWhole(this.archivePath(sandboxId), (out) => pipeline(tar, out));
    });
  }

  ensureDestroyed(sandboxId: string): Promise<void> {
    return this.mutex.run(sandboxId, async () => {
      this.applied.delete(sandboxId);
      const link = this.links.get(sandboxId);
      this.links.delete(sandboxId);
      await link?.close(true);
      await this.o.runtime.remove(sandboxId);
      crashpoint('destroy:removed');
      await this.pool.release(sandboxId);
      await this.egress.remove(sandboxId);
      await this.o.runtime.forgetImages(sandboxId);
      await this.o.runtime.images.remove(this.forkImageRef(sandboxId)).catch(() => {});
      rmSync(this.archivePath(sandboxId), { force: true });
      rmSync(`${this.archivePath(sandboxId)}.partial`, { force: true });
      await this.o.archiveStore?.remove(sandboxId);
      rmSync(join(this.sandboxesDir, sandboxId), { recursive: true, force: true });
    });
  }

  /** A missing volume must fail the start: the engine would quietly mount a new, empty one. */
  private async checkVolumes(spec: SandboxRuntimeSpec): Promise<void> {
    for (const v of spec.volumes ?? []) {
      if (!(await this.o.runtime.volumeExists(volumeName(v.volumeId)))) {
        throw new AppError('failed_precondition', `volume ${v.volumeId} mounted at ${v.mountPath} no longer exists`, {
          hint: 'recreate the sandbox without it, or with another volume',
          recoverable: false,
        });
      }
    }
  }

  /**
   * Starts a created container: network attachment as the policy says, subpath
   * mounts staged for the start only. Joining the network costs the engine a
   * few hundred ms; for images without their own entrypoint nothing needs the
   * network before the daemon answers, so the container starts detached and
   * joins while the daemon boots. The returned promise is that late join.
   */
  private async startContainer(spec: SandboxRuntimeSpec, pooled: boolean): Promise<Promise<void> | null> {
    const id = spec.sandboxId;
    const wantNetwork = !spec.network.blockAll;
    // In a holder's namespace the network is already there (and switched on the holder).
    const lateJoin = !pooled && wantNetwork && spec.imageConfig !== undefined && spec.imageConfig.command.length === 0;
    if (
      !(pooled && wantNetwork) &&
      !(await this.o.runtime.setNetworkAttached(id, this.o.networkName, wantNetwork && !lateJoin))
    ) {
      this.o.log.warn('sandbox was created without networking; it stays offline until it is recreated', {
        sandboxId: id,
      });
    }
    try {
      const volumes = spec.volumes ?? [];
      if (volumes.some((v) => v.subpath)) await this.checkVolumes(spec);
      for (let i = 0; i < volumes.length; i++) {
        const v = volumes[i]!;
        if (!v.subpath) continue;
        const root = await this.o.runtime.volumePath(volumeName(v.volumeId));
        if (!root)
          throw new AppError('failed_precondition', `volume ${v.volumeId} is not reachable on this host`, {
            hint: 'subpath mounts need the runner on the Docker host itself; mount the whole volume instead',
          });
        await this.subpaths.stage(id, i, root, v.subpath);
      }
      await this.o.runtime.start(id);
    } finally {
      await this.subpaths.release(id);
    }
    if (!lateJoin) return null;
    return this.o.runtime.setNetworkAttached(id, this.o.networkName, true).then((ok) => {
      if (!ok)
        this.o.log.warn('sandbox was created without networking; it stays offline until it is recreated', {
          sandboxId: id,
        });
    });
  }

  applyNetworkPolicy(sandboxId: string, policy: NetworkPolicy): Promise<void> {
    return this.mutex.run(sandboxId, async () => {
      this.applied.delete(sandboxId); // the next start re-derives the network from the engine
      if (!(await this.o.runtime.inspect(sandboxId))) return; // applied from the stored policy at the next start
      if (!(await this.o.runtime.setNetworkAttached(sandboxId, this.o.networkName, !policy.blockAll))) {
        throw new AppError(
          'failed_precondition',
          `sandbox ${sandboxId} was created without networking and cannot be connected while it exists`,
          {
            hint: 'create a new sandbox with networkBlockAll false',
          },
        );
      }
      const st = await this.o.runtime.inspect(sandboxId);
      if (!st?.running) return;
      await this.egress.apply(sandboxId, st.ip, policy);
    });
  }

  resize(sandboxId: string, limits: ResourceLimits): Promise<void> {
    return this.mutex.run(sandboxId, async () => {
      const memoryBytes = Math.round(limits.memoryGiB * GiB);
      await this.o.runtime.update(sandboxId, { cpu: limits.cpu, memoryBytes });
      const a = this.applied.get(sandboxId);
      if (a) Object.assign(a, { cpu: limits.cpu, memoryBytes });
    });
  }

  createVolume(volumeId: string, organizationId: string): Promise<void> {
    return this.o.runtime.createVolume(
      volumeName(volumeId),
      { 'berth.volume': volumeId, 'berth.organization': organizationId, 'berth.runner': this.id },
      VOLUME_OWNER,
    );
  }

  removeVolume(volumeId: string): Promise<void> {
    return this.o.runtime.removeVolume(volumeName(volumeId));
  }

  diskUsage(sandboxId: string): Promise<number | null> {
    return this.o.runtime.writableBytes(sandboxId);
  }

  async listSandboxIds(): Promise<string[]> {
    const ids = new Set((await this.o.runtime.list(this.id)).map((c) => c.sandboxId));
    for (const f of readdirSync(this.archivesDir)) if (f.endsWith('.tar')) ids.add(f.slice(0, -4));
    for (const id of (await this.o.archiveStore?.list().catch((e: Error) => {
      this.o.log.warn('could not list the archive store', { error: e.message });
      return [];
    })) ?? [])
      ids.add(id);
    for (const d of readdirSync(this.sandboxesDir)) ids.add(d);
    return [...ids];
  }

  /**
   * Cleans network holders and iptables chains of sandboxes that exist nowhere
   * (not in the store, no container of any Berth). Each reaper lists what it
   * found before calling `anywhere`, which reads containers and then `known`
   * (the store): a sandbox made meanwhile is then seen, never reaped.
   */
  async reapNetwork(known: () => Promise<Set<string>>): Promise<number> {
    const anywhere = async () => {
      const ids = new Set<string>();
      for (const c of await this.o.runtime.list(null)) ids.add(c.sandboxId);
      for (const id of await known()) ids.add(id);
      return ids;
    };
    await this.pool
      .reap(anywhere)
      .catch((e) => this.o.log.warn('could not reap network holders', { error: (e as Error).message }));
    return this.egress.reap(anywhere);
  }

  daemon(sandboxId: string): SandboxDaemon {
    return new DaemonClient(this.link(sandboxId));
  }

  /** The live HTTP/2 session to a sandbox's daemon (a remote runner forwards its link's streams there). */
  daemonSession(sandboxId: string): import('node:http2').ClientHttp2Session {
    return this.link(sandboxId).current();
  }

  ensurePaused(sandboxId: string): Promise<void> {
    return this.mutex.run(sandboxId, () => this.o.runtime.pause(sandboxId));
  }

  ensureResumed(sandboxId: string): Promise<void> {
    return this.mutex.run(sandboxId, async () => {
      await this.o.runtime.unpause(sandboxId);
      await this.link(sandboxId).waitConnected(this.o.daemonReadyMs);
    });
  }

  commitSandbox(sandboxId: string, ref: string, labels: Record<string, string>): Promise<{ size: number }> {
    return this.mutex.run(sandboxId, () =>
      this.o.runtime.images.commit(sandboxId, ref, { ...labels, 'berth.runner': this.id }),
    );
  }

  forkImageRef(forkId: string): string {
    return `berth-fork/${this.id}:${forkId}`;
  }

  buildImage(req: ImageBuildRequest, onLog: (text: string) => void): Promise<{ size: number }> {
    const { memoryGiB, ...rest } = req;
    return this.o.runtime.images.build(
      { ...rest, memoryBytes: Math.round(memoryGiB * GiB), network: this.o.networkName },
      onLog,
    );
  }

  pullImage(
    ref: string,
    auth: RegistryCredentials | null,
    onLog: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.o.runtime.images.pull(ref, auth, onLog, signal);
  }

  checkImage(ref: string, auth: RegistryCredentials | null): Promise<void> {
    return this.o.runtime.images.check(ref, auth);
  }

  removeImage(ref: string): Promise<void> {
    return this.o.runtime.images.remove(ref);
  }

  listImages(labels: Record<string, string>): Promise<{ ref: string; created: number }[]> {
    return this.o.runtime.images.list({ ...labels, 'berth.runner': this.id });
  }

  saveImage(ref: string): Promise<Readable> {
    return this.o.runtime.images.save(ref);
  }

  loadImage(tar: Readable, signal?: AbortSignal): Promise<void> {
    return this.o.runtime.images.load(tar, signal);
  }

  async pushImage(
    ref: string,
    registryRef: string,
    onProgress: (sent: number, total: number) => void = () => {},
  ): Promise<void> {
    await this.o.runtime.images.tag(ref, registryRef);
    await this.o.runtime.images.push(registryRef, onProgress);
  }

  async pullImageAs(registryRef: string, ref: string): Promise<void> {
    await this.o.runtime.images.pull(registryRef, null, () => {});
    await this.o.runtime.images.tag(registryRef, ref);
    // Only the registry's name goes: the image stays under `ref`.
    await this.o.runtime.images.remove(registryRef);
  }

  stats(sandboxId: string): Promise<SandboxStats | null> {
    return this.o.runtime.stats(sandboxId);
  }

  logs(sandboxId: string, o: { since?: number; until?: number; tail?: number }) {
    return this.o.runtime.logs(sandboxId, o);
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.egress.close();
    for (const l of this.links.values()) await l.close(false);
    this.links.clear();
    await this.subpaths.releaseAll().catch(() => {});
    this.o.archiveStore?.close();
  }
}

// The contract between the orchestrator and a runner (in-process for one host;
// the same shape is what a remote runner would serve). Sandbox terms only.
import type { DaemonHealth, ExecEvent, ExecRequest, ExecResult, FileInfo } from './daemon.js';
import type { Readable } from 'node:stream';
import type { TunnelTarget } from './forward.js';
import type { PosixEntry, PosixStat, SetStat, WriteOpen } from './posix-files.js';

export interface NetworkPolicy {
  blockAll: boolean;
  /** CIDRs the sandbox may reach; empty (and no domains) = everything public. */
  allowList: string[];
  /** Domain names (`*.` for subdomains) the sandbox may reach, through the runner's DNS-driven rules. */
  domains?: string[];
}

/** A volume mounted into a sandbox; `subpath` mounts only that folder of the volume. */
export interface VolumeMount {
  volumeId: string;
  mountPath: string;
  subpath?: string;
}

/** A volume subpath is plain relative folder names: no `.`/`..`, no odd characters. */
export const VOLUME_SUBPATH_RE = /^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9._@+=-]+(\/[A-Za-z0-9._@+=-]+)*$/;

/** Live resource limits (cpu in cores, memory in GiB). */
export interface ResourceLimits {
  cpu: number;
  memoryGiB: number;
}

/** What the runner needs to bring a sandbox up. Rebuilt from the store every time. */
export interface SandboxRuntimeSpec {
  sandboxId: string;
  organizationId: string;
  image: string;
  /** User to run as: a name or uid[:gid] from the image; undefined = image default, never root by default. */
  user?: string;
  env: Record<string, string>;
  cpu: number;
  memoryGiB: number;
  diskGiB: number;
  network: NetworkPolicy;
  runtime: 'runc' | 'gvisor';
  /** Image config captured at first create, so restores need not the original image. */
  imageConfig?: ImageConfig;
  /** Volumes to mount; they live outside the sandbox and survive archive and delete. */
  volumes?: VolumeMount[];
  /**
   * Started for the warm pool (no owner yet). The container stays marked so:
   * whoever claims it gets `env` through the daemon at every start, since the
   * container's own environment was fixed before anyone owned it.
   */
  pooled?: boolean;
}

export interface ImageConfig {
  command: string[];
  workdir: string;
  user: string;
  env: string[];
  /** Image size in bytes, when the engine reports it. */
  size?: number;
  /** The engine's id of the image (changes when the tag is rebuilt). */
  id?: string;
}

export interface ObservedSandbox {
  /** A container exists for the sandbox. */
  exists: boolean;
  running: boolean;
  /** Frozen (docker pause). */
  paused?: boolean;
  /** The daemon is connected and answering. */
  ready: boolean;
  /** An archive of the sandbox filesystem exists in the archive store. */
  archived: boolean;
  exitCode?: number;
  oomKilled?: boolean;
}

/** What the container engine says about itself. */
export interface EngineFacts {
  engine: string;
  version: string;
  runtimes: string[];
  storageDriver: string;
  backingFilesystem: string;
  cgroupVersion: string;
  cpus: number;
  memoryBytes: number;
}

/** gVisor: not installed, installed without networking (networkBlockAll sandboxes only), or with networking. */
export type GvisorMode = 'unavailable' | 'no-network' | 'available';

export interface EngineInfo extends EngineFacts {
  diskLimit: 'enforced' | 'watched';
  egress: 'enforced' | 'disabled' | 'unavailable';
  gvisor?: GvisorMode;
}

export interface RunnerHealth {
  ok: boolean;
  engine?: EngineInfo;
  error?: string;
}

export interface DaemonStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Duplex: write to send the request body, read the response body. */
  stream: import('node:stream').Duplex;
}

export interface DownloadedFile {
  size: number;
  mode?: string;
  stream: Readable;
}

/** A file open for writing (SFTP): write to `body`, end it, then `done` tells how it went. */
export interface FileWriter {
  body: import('node:stream').Writable;
  /** Bytes written once `body` has ended; rejects with the sandbox's error (e.g. disk full). */
  done: Promise<number>;
}

/** Toolbox operations on one started sandbox, through its daemon. */
export interface SandboxDaemon {
  health(): Promise<DaemonHealth>;
  exec(req: ExecRequest, opts?: { signal?: AbortSignal; onEvent?: (ev: ExecEvent) => void }): Promise<ExecResult>;
  list(path: string, depth?: number): Promise<FileInfo[]>;
  stat(path: string): Promise<FileInfo>;
  mkdir(path: string, mode?: string): Promise<FileInfo>;
  remove(path: string, recursive: boolean): Promise<void>;
  move(source: string, destination: string, overwrite?: boolean): Promise<FileInfo>;
  /** The file from byte `offset` on (default 0); `size` is what is left to read. */
  download(path: string, signal?: AbortSignal, offset?: number): Promise<DownloadedFile>;
  upload(path: string, body: Readable, opts?: { mode?: string; signal?: AbortSignal }): Promise<FileInfo>;
  /** POSIX stat (lstat with `follow` false), for SFTP. */
  posixStat(path: string, follow?: boolean): Promise<PosixStat>;
  /** A folder's entries as lstat sees them. */
  posixList(path: string): Promise<PosixEntry[]>;
  /** The canonical path (a missing last component is allowed). */
  realpath(path: string): Promise<string>;
  readlink(path: string): Promise<string>;
  symlink(target: string, path: string): Promise<void>;
  /** mkdir without -p: fails when it exists or its parent does not. */
  mkdirExact(path: string, mode?: string): Promise<void>;
  setstat(path: string, attrs: SetStat): Promise<void>;
  /** Opens a file for writing in place at an offset; resolves once it is open (open errors come first). */
  openWrite(path: string, how: WriteOpen, signal?: AbortSignal): Promise<FileWriter>;
  /**
   * Opens a raw stream to a daemon route (full duplex: request body and
   * response body both stream), for WebSocket bridges and streamed logs.
   */
  open(
    method: string,
    path: string,
    opts?: {
      query?: Record<string, string | undefined>;
      headers?: Record<string, string>;
      signal?: AbortSignal;
      endRequest?: boolean;
    },
  ): Promise<DaemonStream>;
  /**
   * A TCP connection to `target` made from inside the sandbox (previews, SSH
   * forwarding): write to send, read to receive; ending one side half-closes
   * it, destroying it resets the connection. Rejects (e.g. `bad_gateway`,
   * reason PORT_CLOSED) when nothing answers there.
   */
  tunnel(target: TunnelTarget, signal?: AbortSignal): Promise<import('node:stream').Duplex>;
  /** Generic JSON call for toolbox features that only forward (added by later capabilities). */
  call<T = unknown>(
    method: string,
    path: string,
    opts?: { query?: Record<string, string | undefined>; body?: unknown; signal?: AbortSignal },
  ): Promise<T>;
}

/** Credentials for one registry host. */
export interface RegistryCredentials {
  serveraddress: string;
  username: string;
  password: string;
}

export interface ImageBuildRequest {
  /** Image reference to tag the result with. */
  tag: string;
  dockerfile: string;
  /** Opens each uploaded build context (a tar stream). */
  contexts: (() => Promise<Readable>)[];
  contextLimitBytes: number;
  cpu: number;
  memoryGiB: number;
  auth: RegistryCredentials[];
  /** Images whose layers may be reused (the organization's own builds); nothing else's. */
  cacheFrom: string[];
  signal: AbortSignal;
}

/** One sample of a sandbox's resource counters. */
export interface SandboxStats {
  /** Nanoseconds of CPU the container used, and the host's total CPU time (for ratios between samples). */
  cpuNanos: number;
  systemNanos: number;
  onlineCpus: number;
  memoryBytes: number;
  cacheBytes: number;
  memoryLimitBytes: number;
  rxBytes: number;
  txBytes: number;
}

export interface RunnerClient {
  readonly id: string;
  health(): Promise<RunnerHealth>;
  engineInfo(): EngineInfo | undefined;
  /** Resolves an image and returns its config, pulling nothing. Null when absent. */
  inspectImage(ref: string): Promise<ImageConfig | null>;
  observe(sandboxId: string): Promise<ObservedSandbox>;
  /** Create (or restore from archive) if needed, start, and wait until the daemon answers. Idempotent. */
  ensureStarted(spec: SandboxRuntimeSpec): Promise<void>;
  /** Stop the container, keep its filesystem. Idempotent. */
  ensureStopped(sandboxId: string): Promise<void>;
  /** Export the filesystem to the archive store and remove the container. Idempotent. */
  ensureArchived(sandboxId: string): Promise<void>;
  /**
   * Takes over the archive a lost runner kept in this runner's archive store under `prefix`
   * (`archives/<its id>/`); false when there is none, or this runner has no archive store.
   */
  adoptArchive(sandboxId: string, prefix: string): Promise<boolean>;
  /** The sandbox's archive as a tar stream (moving it to another runner); `not_found` when there is none. */
  readArchive(sandboxId: string): Promise<Readable>;
  /**
   * Keeps `tar` as the sandbox's archive here (whole, or not at all), so a start here restores it;
   * `failed_precondition` while the sandbox has a container here.
   */
  writeArchive(sandboxId: string, tar: Readable): Promise<void>;
  /** Remove container, archive and every host-side trace. Idempotent. */
  ensureDestroyed(sandboxId: string): Promise<void>;
  /** Applies a changed network policy to an existing container now (no-op without one). */
  applyNetworkPolicy(sandboxId: string, policy: NetworkPolicy): Promise<void>;
  /** Changes cpu and memory limits of an existing container in place (no-op without one). */
  resize(sandboxId: string, limits: ResourceLimits): Promise<void>;
  /** Creates the storage of a volume (idempotent). */
  createVolume(volumeId: string, organizationId: string): Promise<void>;
  /** Removes the storage of a volume and its data (idempotent); `conflict` while a container uses it. */
  removeVolume(volumeId: string): Promise<void>;
  /** Bytes written by the sandbox (its writable layer). */
  diskUsage(sandboxId: string): Promise<number | null>;
  /** Sandbox ids that have a container or archive on this runner. */
  listSandboxIds(): Promise<string[]>;
  daemon(sandboxId: string): SandboxDaemon;
  /** Freezes a started sandbox (memory kept, no CPU). Idempotent. */
  ensurePaused(sandboxId: string): Promise<void>;
  /** Thaws a paused sandbox and waits until its daemon answers. Idempotent. */
  ensureResumed(sandboxId: string): Promise<void>;
  /** Commits the sandbox's filesystem (running or stopped) into an image `ref`; returns its size. */
  commitSandbox(sandboxId: string, ref: string, labels: Record<string, string>): Promise<{ size: number }>;
  /** The image a fork is committed into; removed with the fork. */
  forkImageRef(forkId: string): string;
  /** Builds an image with the engine's builder, streaming its output to `onLog`. */
  buildImage(req: ImageBuildRequest, onLog: (text: string) => void): Promise<{ size: number }>;
  /** Pulls an image (with credentials for its registry, if given). */
  pullImage(
    ref: string,
    auth: RegistryCredentials | null,
    onLog: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Rejects (invalid_argument, with the fix) when the image's registry cannot give it; pulls nothing. */
  checkImage(ref: string, auth: RegistryCredentials | null): Promise<void>;
  /** Removes an image; `conflict` while a container uses it, no-op when absent. */
  removeImage(ref: string): Promise<void>;
  /** Images of this runner with these labels. */
  listImages(labels: Record<string, string>): Promise<{ ref: string; created: number }[]>;
  /** The image as a `docker save` tar, streamed; `invalid_argument` (reason IMAGE_NOT_FOUND) when absent. */
  saveImage(ref: string): Promise<Readable>;
  /** Loads a `docker save` tar, read only as fast as the engine takes it; the tar's tags come with it. */
  loadImage(tar: Readable, signal?: AbortSignal): Promise<void>;
  /** Tags `ref` as `registryRef` (in the cluster registry) and pushes it there, without credentials. */
  pushImage(ref: string, registryRef: string, onProgress?: (sent: number, total: number) => void): Promise<void>;
  /** Pulls `registryRef` from the cluster registry and names it `ref` (the registry's name is dropped). */
  pullImageAs(registryRef: string, ref: string): Promise<void>;
  /** Resource counters of a running sandbox; null when it is not running. */
  stats(sandboxId: string): Promise<SandboxStats | null>;
  /** Output of the sandbox's main process (PID 1), oldest first. */
  logs(
    sandboxId: string,
    o: { since?: number; until?: number; tail?: number },
  ): Promise<{ at: number; stream: 'stdout' | 'stderr'; text: string }[]>;
  close(): Promise<void>;
}

const ROOT = /^(root|0)(:.*)?$/;
export const isRootUser = (u: string) => u === '' || ROOT.test(u);

/** The user a sandbox runs as: the requested one, else the image's unless that is root. */
export const effectiveUser = (requested: string | null | undefined, imageUser: string | null | undefined): string =>
  requested ?? (imageUser && !isRootUser(imageUser) ? imageUser : '1000:1000');

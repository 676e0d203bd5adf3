// The runner's view of a container engine, in sandbox terms. Docker is one
// implementation (docker.ts); an orchestrator such as Kubernetes could be
// another. Nothing outside runner/runtime/ knows which engine runs sandboxes.
import type { Readable, Writable } from 'node:stream';
import type { EngineFacts, ImageConfig, SandboxStats } from '../../common/wire/runner.js';
import type { DaemonBundle } from '../daemon-bundle.js';

export interface ContainerSpec {
  sandboxId: string;
  runnerId: string;
  organizationId: string;
  image: string;
  entrypoint: string[];
  env: Record<string, string>;
  user: string;
  workdir: string;
  mounts: { source: string; target: string; readOnly: boolean }[];
  /** Named volumes (by engine volume name) mounted read-write. */
  volumes: { name: string; target: string }[];
  cpu: number;
  memoryBytes: number;
  diskBytes: number;
  pidsLimit: number;
  /** Network to join; null = no network at all. */
  network: string | null;
  /** Joined but detached before the first start: no network now, attachable live later. */
  networkDetached?: boolean;
  runtime: 'runc' | 'gvisor';
  capAdd: string[];
  /** Joins the network namespace of this holder container (runner/netns-pool.ts) instead of `network`. */
  netns?: string;
  /** Made for the warm pool (labelled, so later starts know). */
  pooled?: boolean;
}

export interface ContainerState {
  running: boolean;
  /** Frozen by the cgroup freezer (docker pause): memory kept, no CPU. */
  paused?: boolean;
  exitCode: number;
  oomKilled: boolean;
  ip: string | null;
  imageId: string;
  /** The holder whose network namespace the container shares, if any. */
  netns: string | null;
  /** Made for the warm pool: its environment holds no owner's variables. */
  pooled: boolean;
}

export interface RuntimeInfo extends EngineFacts {
  diskQuota: boolean;
  /** Extra arguments each runtime is configured with (e.g. runsc --network=none). */
  runtimeArgs?: Record<string, string[]>;
}

export interface NetworkInfo {
  bridge: string;
  subnet: string;
  gateway: string;
}

export interface ContainerRuntime {
  info(): Promise<RuntimeInfo>;
  /** Cheap liveness check of the engine. */
  ping(): Promise<void>;
  imageConfig(ref: string): Promise<ImageConfig | null>;
  ensureNetwork(name: string, subnet: string): Promise<NetworkInfo>;
  /** Creates the sandbox's container; a second call for the same sandbox is a no-op. */
  create(spec: ContainerSpec): Promise<void>;
  start(sandboxId: string): Promise<void>;
  stop(sandboxId: string, graceSeconds: number): Promise<void>;
  remove(sandboxId: string): Promise<void>;
  inspect(sandboxId: string): Promise<ContainerState | null>;
  /** Every sandbox container this runner created (found by label); null = of any runner. */
  list(runnerId: string | null): Promise<{ sandboxId: string; running: boolean }[]>;
  /** Writes what the sandbox changed on top of its image as one tar stream (container stopped). */
  exportChanges(sandboxId: string, out: Writable): Promise<void>;
  /** Applies an export to a created, not yet started container; returns paths to delete once it runs. */
  importChanges(sandboxId: string, input: Readable): Promise<string[]>;
  /** Pins the image a sandbox was created from, so archives can leave its layers out. */
  keepBase(sandboxId: string, image: string): Promise<void>;
  /** Reference of the pinned base image. */
  keepRef(sandboxId: string): string;
  /** Releases the pinned base image. */
  forgetImages(sandboxId: string): Promise<void>;
  writableBytes(sandboxId: string): Promise<number | null>;
  /** Changes cpu/memory limits of a container, running or not. */
  update(sandboxId: string, limits: { cpu: number; memoryBytes: number }): Promise<void>;
  /**
   * Attaches the container to `network` or detaches it, running or not.
   * Returns false when the container was created without networking and cannot be attached.
   */
  setNetworkAttached(sandboxId: string, network: string, attached: boolean): Promise<boolean>;
  /** Creates a labelled named volume owned by `owner` (uid:gid); idempotent. */
  createVolume(name: string, labels: Record<string, string>, owner: { uid: number; gid: number }): Promise<void>;
  /** Removes a named volume; `conflict` while in use, no-op when absent. */
  removeVolume(name: string): Promise<void>;
  /** Whether a named volume exists (the engine would otherwise create an empty one on mount). */
  volumeExists(name: string): Promise<boolean>;
  /** Host path of a named volume's data, or null when the host cannot see it. */
  volumePath(name: string): Promise<string | null>;

  /** Freezes every process of a running container (cgroup freezer); no-op when already paused. */
  pause(sandboxId: string): Promise<void>;
  /** Thaws a paused container; no-op when it is not paused. */
  unpause(sandboxId: string): Promise<void>;
  /** Raw resource counters of a running container (null when it is not running). */
  stats(sandboxId: string): Promise<ContainerStats | null>;
  /** What the container's main process (the daemon and the image's entrypoint) printed, oldest first. */
  logs(
    sandboxId: string,
    o: { since?: number; until?: number; tail?: number },
  ): Promise<{ at: number; stream: 'stdout' | 'stderr'; text: string }[]>;

  /**
   * How the daemon reaches this engine's containers. Default (absent): the
   * runner copies Node and the daemon into a host folder the containers mount
   * (runner/daemon-bundle.ts); an engine without a host file system says otherwise.
   */
  prepareDaemon?(home: string, daemonJs: string): DaemonBundle;

  /** Containers that hold network namespaces for sandboxes to join (runner/netns-pool.ts). */
  readonly holders: NetnsHolders;
  /** Image builds, pulls, commits and removal (runner/runtime/docker-images.ts). */
  readonly images: ImageEngine;
}

/** A container's resource counters: what the runner reports per sandbox (one shape, from the wire contract). */
export type ContainerStats = SandboxStats;

/** Registry credentials for one host, as the engine takes them. */
export interface RegistryAuth {
  serveraddress: string;
  username: string;
  password: string;
}

export interface BuildSpec {
  tag: string;
  dockerfile: string;
  /** Tar streams whose entries become the build context (the SDK's uploaded contexts). */
  contexts: (() => Promise<Readable>)[];
  /** Largest total size of the context entries. */
  contextLimitBytes: number;
  /** Network RUN steps join (the sandbox network, so its egress rules apply). */
  network: string;
  cpu: number;
  memoryBytes: number;
  auth: RegistryAuth[];
  /** The only images whose layers may serve as cache (never empty: an empty list means the engine's whole cache). */
  cacheFrom: string[];
  signal: AbortSignal;
}

export interface ImageEngine {
  /** Builds with the engine's builder; each output line goes to `onLog`. Rejects with the failing step. */
  build(spec: BuildSpec, onLog: (text: string) => void): Promise<{ size: number }>;
  /** Pulls an image with the matching credentials, if any. */
  pull(ref: string, auth: RegistryAuth | null, onLog: (text: string) => void, signal?: AbortSignal): Promise<void>;
  /** Asks the image's registry whether it has the image (and lets us have it), pulling nothing. */
  check(ref: string, auth: RegistryAuth | null): Promise<void>;
  /** Commits a container (running or not) into an image; returns its size. */
  commit(sandboxId: string, ref: string, labels: Record<string, string>): Promise<{ size: number }>;
  /** Removes an image reference; `conflict` while a container uses it, no-op when absent. */
  remove(ref: string): Promise<void>;
  /** Image references with all of these labels. */
  list(labels: Record<string, string>): Promise<{ ref: string; created: number }[]>;
  /** The image as a `docker save` tar, streamed; `invalid_argument` (IMAGE_NOT_FOUND) when absent. */
  save(ref: string): Promise<Readable>;
  /** Loads a `docker save` tar as it streams in (the tags it names come with it). */
  load(tar: Readable, signal?: AbortSignal): Promise<void>;
  /** Gives an image a second reference. */
  tag(ref: string, newRef: string): Promise<void>;
  /** Pushes a reference to its registry (no credentials: the cluster registry); `onProgress` gets bytes so far. */
  push(ref: string, onProgress: (sent: number, total: number) => void): Promise<void>;
}

export interface NetnsHolders {
  /** Makes sure the holder image (only `binary` as /pause) exists; returns its reference. */
  ensureImage(binary: string): Promise<string>;
  /** Creates and starts a holder on `network`, labelled for `runnerId`. */
  create(name: string, image: string, network: string, runnerId: string): Promise<void>;
  /** Whether the holder runs; null when it does not exist. */
  running(name: string): Promise<boolean | null>;
  start(name: string): Promise<void>;
  /** Renames a holder; false when it no longer exists. */
  rename(from: string, to: string): Promise<boolean>;
  remove(name: string): Promise<void>;
  /** Names of every holder of this runner. */
  list(runnerId: string): Promise<string[]>;
}

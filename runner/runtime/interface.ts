// The runner's view of a container engine, in sandbox terms. Docker is one
// implementation (docker.ts); an orchestrator such as Kubernetes could be
// another. Nothing outside runner/runtime/ knows which engine runs sandboxes.
import type { Readable, Writable } from 'node:stream';
import type { ImageConfig } from '../../common/wire/runner.js';

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
  cpu: number;
  memoryBytes: number;
  diskBytes: number;
  pidsLimit: number;
  /** Network to join; null = no network at all. */
  network: string | null;
  runtime: 'runc' | 'gvisor';
  capAdd: string[];
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  ip: string | null;
  imageId: string;
}

export interface RuntimeInfo {
  engine: string;
  version: string;
  runtimes: string[];
  storageDriver: string;
  backingFilesystem: string;
  cgroupVersion: string;
  cpus: number;
  memoryBytes: number;
  diskQuota: boolean;
}

export interface NetworkInfo {
  bridge: string;
  subnet: string;
  gateway: string;
}

export interface ContainerRuntime {
  info(): Promise<RuntimeInfo>;
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
}

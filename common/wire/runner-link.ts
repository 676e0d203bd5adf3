// The link between a remote runner (`berth runner`) and the API. The runner
// dials out: `GET /api/runners/link` with `Authorization: Bearer <runner
// token>` and `Upgrade: berth-runner/1`; after `101 Switching Protocols` the
// socket carries HTTP/2 with the roles reversed — the runner is the HTTP/2
// server, the API the client — so the API can open as many streams to the
// runner as it needs, with HTTP/2's flow control. Paths the runner serves:
// GET /info (registration), GET /usage (heartbeat) and POST /replicas (the
// API replicas it should also link to; docs/scale-out.md, "Replicas and links"),
// and the RPC and image routes below.

import type { GvisorMode } from './runner.js';

export const RUNNER_LINK_PATH = '/api/runners/link';
export const RUNNER_LINK_PROTOCOL = 'berth-runner/1';
/** Dial header: a random id per `berth runner` process; another process with the same token is refused. */
export const RUNNER_INSTANCE_HEADER = 'x-berth-runner-instance';
/** Header of the `101`: the id of the API replica the dial reached (the URL may be a load balancer's). */
export const REPLICA_HEADER = 'x-berth-replica';
/** The API posts `{replicas: LinkReplica[]}` here on every link: the live replicas the runner links to. */
export const REPLICAS_PATH = '/replicas';

/** An API replica as the runner dials it. */
export interface LinkReplica {
  id: string;
  /** Its base URL, reachable from runner hosts (BERTH_REPLICA_URL). */
  url: string;
}

/** What a runner offers (GET /info). */
export interface RunnerCapacity {
  cpus: number;
  memoryGiB: number;
  /** Size of the file system that holds the runner's data (BERTH_HOME). */
  diskGiB: number;
  /** Container runtimes of its engine, e.g. runc, runsc (gVisor). */
  runtimes: string[];
  /**
   * Which gVisor its engine offers (`no-network`: runsc only with --network=none, for sandboxes that
   * block all network). Absent from runners older than this field: then judged by `runsc` in `runtimes`.
   */
  gvisor?: GvisorMode;
  storageDriver: string;
  /** Labels it was started with (BERTH_RUNNER_LABELS). */
  labels: Record<string, string>;
  /** The Berth version the runner runs. */
  version: string;
  /** The container engine's own version. */
  engineVersion: string;
  /**
   * Where its archives are in the archive store (BERTH_ARCHIVE_STORE=s3), e.g. `archives/runner-1a2b3c4d/`;
   * null when they stay on its disk. Lets the API restore them elsewhere if the runner is lost for good.
   */
  archivePrefix?: string | null;
}

/** What a runner holds and how busy its host is (GET /usage). */
export interface RunnerUsage {
  /** Sandbox containers this runner made (any state). */
  sandboxes: number;
  running: number;
  /** One-minute load average of the host. */
  load1: number;
  memoryFreeGiB: number;
}

/**
 * Runner calls over the link: `POST /rpc/<method>` with the arguments as a
 * JSON array; 200 with `{result}`, or the AppError's JSON with its status.
 * Only these methods (JSON in and out) are served remotely.
 */
export const RUNNER_RPC_PREFIX = '/rpc/';
export const REMOTE_RUNNER_METHODS = [
  'health',
  'inspectImage',
  'observe',
  'ensureStarted',
  'ensureStopped',
  'ensureArchived',
  'ensureDestroyed',
  'adoptArchive',
  'applyNetworkPolicy',
  'resize',
  'createVolume',
  'removeVolume',
  'diskUsage',
  'listSandboxIds',
  'ensurePaused',
  'ensureResumed',
  'commitSandbox',
  'checkImage',
  'removeImage',
  'listImages',
  'pullImageAs',
  'stats',
  'logs',
] as const;
export type RemoteRunnerMethod = (typeof REMOTE_RUNNER_METHODS)[number];

/** A link stream carrying this header goes to that sandbox's daemon, headers and bodies as they are. */
export const SANDBOX_STREAM_HEADER = 'x-berth-sandbox';

/**
 * Images as `docker save` tars, streamed with the link's flow control (never
 * whole in memory): `POST /images/load` takes the tar as its request body and
 * answers `{result: null}` once the engine loaded it; `GET /images/save` with
 * the reference in IMAGE_REF_HEADER answers the tar (or an error's JSON).
 */
export const IMAGE_LOAD_PATH = '/images/load';
export const IMAGE_SAVE_PATH = '/images/save';
export const IMAGE_REF_HEADER = 'x-berth-image';

/**
 * A sandbox's archive as a tar, streamed the same way, when it moves between
 * runners: `GET /archives/read` answers it, `POST /archives/write` takes it as
 * its request body and answers `{result: null}` once it is kept whole. The
 * sandbox id goes in ARCHIVE_SANDBOX_HEADER.
 */
export const ARCHIVE_READ_PATH = '/archives/read';
export const ARCHIVE_WRITE_PATH = '/archives/write';
export const ARCHIVE_SANDBOX_HEADER = 'x-berth-archive';

// The sandbox as the rest of the system sees it (edges map it to their own
// wire shapes: Daytona DTO, MCP structured content, CLI tables).
import type { SandboxRow } from './row.js';
import type { ImageConfig, VolumeMount } from '../../common/wire/runner.js';
import type { DesiredState, SandboxState } from './states.js';

export interface Sandbox {
  id: string;
  organizationId: string;
  name: string;
  runnerId: string;
  image: string;
  snapshot: string | null;
  user: string | null;
  env: Record<string, string>;
  labels: Record<string, string>;
  cpu: number;
  gpu: number;
  memory: number;
  disk: number;
  public: boolean;
  networkBlockAll: boolean;
  networkAllowList: string | null;
  /** Comma-separated domain names (`*.` for subdomains) the sandbox may reach. */
  domainAllowList: string | null;
  /** Names of the environment variables filled from organization secrets (never the values). */
  secretEnv: string[];
  runtime: 'runc' | 'gvisor';
  target: string;
  state: SandboxState;
  desiredState: DesiredState;
  errorReason: string | null;
  recoverable: boolean;
  autoStopInterval: number;
  autoArchiveInterval: number;
  autoDeleteInterval: number;
  /** Whether a preview (or SSH) request starts the sandbox when stopped or archived; null = the organization's default. */
  autoStartOnRequest: boolean | null;
  /** Idle minutes before a started sandbox is paused (0 = never). */
  autoPauseInterval: number;
  /** The build of its image, while the sandbox was created from a Dockerfile. */
  buildId: string | null;
  buildInfo: Record<string, unknown> | null;
  /** Volumes mounted into the sandbox. */
  volumes: VolumeMount[];
  /** Image entrypoint/workdir/user captured at create (internal). */
  imageConfig: ImageConfig | null;
  createdAt: Date;
  updatedAt: Date;
  stateUpdatedAt: Date;
  lastActivityAt: Date;
}

export function toSandbox(row: SandboxRow, labels: Record<string, string>): Sandbox {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    runnerId: row.runner_id,
    image: row.image,
    snapshot: row.snapshot,
    user: row.os_user,
    env: row.env ?? {},
    labels,
    cpu: Number(row.cpu),
    gpu: Number(row.gpu),
    memory: Number(row.memory),
    disk: Number(row.disk),
    public: !!row.public,
    networkBlockAll: !!row.network_block_all,
    networkAllowList: row.network_allow_list,
    domainAllowList: row.domain_allow_list ?? null,
    secretEnv: (row.secrets ?? []).map((r) => r.env),
    runtime: row.runtime === 'gvisor' ? 'gvisor' : 'runc',
    target: row.target,
    state: row.state as SandboxState,
    desiredState: row.desired_state as DesiredState,
    errorReason: row.error_reason,
    recoverable: !!row.recoverable,
    autoStopInterval: row.auto_stop_interval,
    autoArchiveInterval: row.auto_archive_interval,
    autoDeleteInterval: row.auto_delete_interval,
    autoStartOnRequest:
      row.auto_start_on_request === null || row.auto_start_on_request === undefined
        ? null
        : !!row.auto_start_on_request,
    autoPauseInterval: Number(row.auto_pause_interval ?? 0),
    buildId: row.build_id ?? null,
    buildInfo: row.build_info,
    volumes: row.volumes ?? [],
    imageConfig: row.image_config,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    stateUpdatedAt: new Date(Number(row.state_updated_at)),
    lastActivityAt: new Date(Number(row.last_activity_at)),
  };
}

/** Events published on the bus when a sandbox changes. */
export const SANDBOX_EVENTS = {
  created: 'sandbox.created',
  stateUpdated: 'sandbox.state.updated',
  desiredStateUpdated: 'sandbox.desired-state.updated',
  updated: 'sandbox.updated',
  /** A line of progress while the sandbox waits for something slow (its image sent to a remote runner). */
  progress: 'sandbox.progress',
} as const;

export interface SandboxEvent {
  organizationId: string;
  sandbox: Sandbox;
  oldState?: SandboxState;
  newState?: SandboxState;
}

/** What `SANDBOX_EVENTS.progress` carries: one human-readable line, about once a second at most. */
export interface SandboxProgressEvent {
  organizationId: string;
  sandboxId: string;
  line: string;
}

/** The target of a sandbox created without one (what the Daytona SDK shows); it asked for no region. */
export const DEFAULT_TARGET = 'local';

// A snapshot is a named image sandboxes are created from (Daytona's term): an
// image registered from the engine or pulled from a registry, one built from a
// Dockerfile, or a sandbox's filesystem committed into an image.
import type { ImageConfig } from '../../common/wire/runner.js';

export const SNAPSHOT_STATES = [
  'building',
  'pending',
  'pulling',
  'snapshotting',
  'active',
  'inactive',
  'error',
  'build_failed',
  'removing',
] as const;
export type SnapshotState = (typeof SNAPSHOT_STATES)[number];

export interface Snapshot {
  id: string;
  organizationId: string;
  name: string;
  imageName: string;
  state: SnapshotState;
  errorReason: string | null;
  /** The default snapshot every organization gets; it cannot be deleted. */
  general: boolean;
  entrypoint: string[] | null;
  /** Resources of sandboxes created from it; null = the server defaults. */
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  size: number | null;
  sourceSandboxId: string | null;
  /** The build that makes its image (snapshots from a Dockerfile or an Image). */
  buildId: string | null;
  /** Entrypoint, workdir, user and env of the image a committed sandbox ran (its own config is the sandbox's). */
  imageConfig: ImageConfig | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  /** Warm sandboxes kept for it: null = not set (the server default for the default snapshot, else none). */
  warmPoolSize: number | null;
  /** Its warm pool now: the size in force and how many are ready (filled in by the service). */
  warmPool?: { size: number; ready: number };
}

export interface SnapshotRow {
  id: string;
  organization_id: string;
  name: string;
  image_name: string;
  state: string;
  error_reason: string | null;
  general: boolean | number;
  entrypoint: string | null;
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  size: number | string | null;
  source_sandbox_id: string | null;
  build_id: string | null;
  image_config: string | null;
  created_at: number | string;
  updated_at: number | string;
  last_used_at: number | string | null;
  warm_pool?: number | null;
}

const num = (v: number | string | null) => (v === null || v === undefined ? null : Number(v));

export function toSnapshot(r: SnapshotRow): Snapshot {
  return {
    id: r.id,
    organizationId: r.organization_id,
    name: r.name,
    imageName: r.image_name,
    state: r.state as SnapshotState,
    errorReason: r.error_reason,
    general: !!r.general,
    entrypoint: r.entrypoint ? (JSON.parse(r.entrypoint) as string[]) : null,
    cpu: num(r.cpu),
    memory: num(r.memory),
    disk: num(r.disk),
    size: num(r.size),
    sourceSandboxId: r.source_sandbox_id,
    buildId: r.build_id ?? null,
    imageConfig: r.image_config ? (JSON.parse(r.image_config) as ImageConfig) : null,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
    lastUsedAt: r.last_used_at === null ? null : new Date(Number(r.last_used_at)),
    warmPoolSize: r.warm_pool === null || r.warm_pool === undefined ? null : Number(r.warm_pool),
  };
}

/** What creating a sandbox from a snapshot takes from it. */
export interface SnapshotChoice {
  name: string;
  imageName: string;
  entrypoint: string[] | null;
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  /** Config captured when the image was made, used instead of the image's own (committed sandboxes). */
  imageConfig: ImageConfig | null;
}

// Snapshots, registries and volumes as MCP tools show them (snake_case, sizes
// in GiB and bytes, times in ISO 8601), shared by the tools of those groups.
import { z } from 'zod';
import type { DockerRegistry, Snapshot, Volume } from '../../orchestrator/index.js';

export const snapshotRef = z.string().min(1).max(255).describe('snapshot name or id (snapshot_list shows them)');

export const SnapshotOut = z.object({
  id: z.string(),
  name: z.string(),
  state: z
    .string()
    .describe('active (usable), pending, building, pulling, snapshotting, inactive, error, build_failed'),
  image: z.string().describe('the image sandboxes created from it run'),
  error_reason: z.string().nullable(),
  is_default: z.boolean().describe('the snapshot sandboxes get when none is given; it cannot be deleted'),
  cpu: z.number().nullable().describe('cpu of sandboxes created from it (null: the server default)'),
  memory_gib: z.number().nullable(),
  disk_gib: z.number().nullable(),
  size_bytes: z.number().nullable(),
  source_sandbox_id: z.string().nullable().describe('the sandbox it was saved from (sandbox_snapshot)'),
  built: z.boolean().describe('built from a Dockerfile here (it has a build log)'),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
});
export type SnapshotOut = z.infer<typeof SnapshotOut>;

export const snapshotOut = (s: Snapshot): SnapshotOut => ({
  id: s.id,
  name: s.name,
  state: s.state,
  image: s.imageName,
  error_reason: s.errorReason,
  is_default: s.general,
  cpu: s.cpu,
  memory_gib: s.memory,
  disk_gib: s.disk,
  size_bytes: s.size,
  source_sandbox_id: s.sourceSandboxId,
  built: s.buildId !== null,
  created_at: s.createdAt.toISOString(),
  last_used_at: s.lastUsedAt?.toISOString() ?? null,
});

export const snapshotLine = (s: SnapshotOut) => {
  const error = s.error_reason ? `, error: ${s.error_reason}` : '';
  return `${s.name}: ${s.state}, image ${s.image}${s.is_default ? ' (default)' : ''}${error}`;
};

export const RegistryOut = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string().describe('registry host[:port]; images naming it are pulled with its credentials'),
  username: z.string(),
  project: z.string(),
  created_at: z.string(),
});
export type RegistryOut = z.infer<typeof RegistryOut>;

export const registryOut = (r: DockerRegistry): RegistryOut => ({
  id: r.id,
  name: r.name,
  url: r.url,
  username: r.username,
  project: r.project,
  created_at: r.createdAt.toISOString(),
});

export const VolumeOut = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string().describe('ready, creating, deleting, error'),
  error_reason: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
});
export type VolumeOut = z.infer<typeof VolumeOut>;

export const volumeOut = (v: Volume): VolumeOut => ({
  id: v.id,
  name: v.name,
  state: v.state,
  error_reason: v.errorReason,
  created_at: v.createdAt.toISOString(),
  last_used_at: v.lastUsedAt?.toISOString() ?? null,
});

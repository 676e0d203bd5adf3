// Schemas and mappings shared by several tools: the sandbox as MCP tools show
// it (snake_case, sizes in GiB, times in ISO 8601), and common arguments.
import { z } from 'zod';
import { reportedState, type Sandbox } from '../../orchestrator/index.js';
import type { FileInfo } from '../../common/wire/daemon.js';

export const sandboxId = z.string().min(1).max(128).describe('sandbox id or name (sandbox_list shows them)');
export const filePath = z
  .string()
  .min(1)
  .max(4096)
  .describe('path inside the sandbox; relative paths start at the sandbox working directory');

export const SandboxOut = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string().describe('started, stopped, archived, starting, stopping, error, …'),
  image: z.string(),
  snapshot: z.string().nullable(),
  cpu: z.number(),
  memory_gib: z.number(),
  disk_gib: z.number(),
  labels: z.record(z.string(), z.string()),
  env_keys: z.array(z.string()).describe('names of the environment variables set at create (values are not echoed)'),
  public: z.boolean(),
  network_block_all: z.boolean(),
  network_allow_list: z.array(z.string()),
  volumes: z.array(z.object({ volume_id: z.string(), mount_path: z.string(), subpath: z.string().nullable() })),
  auto_stop_minutes: z.number(),
  auto_archive_minutes: z.number(),
  auto_delete_minutes: z.number(),
  error_reason: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  last_activity_at: z.string(),
});
export type SandboxOut = z.infer<typeof SandboxOut>;

export function sandboxOut(s: Sandbox): SandboxOut {
  return {
    id: s.id,
    name: s.name,
    state: reportedState(s.state, s.desiredState, s.errorReason),
    image: s.image,
    snapshot: s.snapshot,
    cpu: s.cpu,
    memory_gib: s.memory,
    disk_gib: s.disk,
    labels: s.labels,
    env_keys: Object.keys(s.env).sort(),
    public: s.public,
    network_block_all: s.networkBlockAll,
    network_allow_list: s.networkAllowList ? s.networkAllowList.split(',') : [],
    volumes: s.volumes.map((v) => ({ volume_id: v.volumeId, mount_path: v.mountPath, subpath: v.subpath ?? null })),
    auto_stop_minutes: s.autoStopInterval,
    auto_archive_minutes: s.autoArchiveInterval,
    auto_delete_minutes: s.autoDeleteInterval,
    error_reason: s.errorReason,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    last_activity_at: s.lastActivityAt.toISOString(),
  };
}

export const sandboxLine = (s: SandboxOut) =>
  `${s.name}${s.name !== s.id ? ` (${s.id})` : ''}: ${s.state}, ${s.image}, cpu ${s.cpu}, memory ${s.memory_gib} GiB, disk ${s.disk_gib} GiB${
    Object.keys(s.labels).length
      ? `, labels ${Object.entries(s.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : ''
  }${s.error_reason ? `, error: ${s.error_reason}` : ''}`;

export const FileOut = z.object({
  name: z.string(),
  path: z.string(),
  size: z.number(),
  is_dir: z.boolean(),
  is_symlink: z.boolean(),
  permissions: z.string().describe('octal, e.g. 0644'),
  mode: z.string().describe('like ls -l, e.g. -rw-r--r--'),
  owner: z.string(),
  group: z.string(),
  mod_time: z.string(),
});
export type FileOut = z.infer<typeof FileOut>;

export const fileOut = (f: FileInfo): FileOut => ({
  name: f.name,
  path: f.path,
  size: f.size,
  is_dir: f.isDir,
  is_symlink: f.isSymlink,
  permissions: f.permissions,
  mode: f.mode,
  owner: f.owner,
  group: f.group,
  mod_time: f.modTime,
});

export const fileLine = (f: FileOut) =>
  `${f.mode} ${f.owner.padEnd(8)} ${String(f.size).padStart(10)} ${f.mod_time} ${f.path}${f.is_dir ? '/' : ''}`;

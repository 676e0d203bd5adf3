// Daytona-compatible wire shapes (compat spec §3.1, §4.3).
import type { Sandbox } from '../orchestrator/sandboxes/model.js';
import type { Snapshot, Volume } from '../orchestrator/index.js';
import { reportedState } from '../orchestrator/sandboxes/states.js';
import { effectiveUser } from '../common/wire/runner.js';
import type { FileInfo } from '../common/wire/daemon.js';
import { BERTH_VERSION } from '../common/version.js';

export function sandboxDto(s: Sandbox, publicUrl: string, full = true): Record<string, unknown> {
  const dto: Record<string, unknown> = {
    id: s.id,
    name: s.name,
    organizationId: s.organizationId,
    snapshot: s.snapshot ?? s.image,
    image: s.image,
    user: effectiveUser(s.user, s.imageConfig?.user),
    labels: s.labels,
    public: s.public,
    target: s.target,
    cpu: s.cpu,
    gpu: s.gpu,
    memory: s.memory,
    disk: s.disk,
    spot: false,
    state: reportedState(s.state, s.desiredState, s.errorReason),
    desiredState: s.desiredState,
    errorReason: s.errorReason ?? undefined,
    recoverable: s.recoverable,
    backupState: 'None',
    sandboxClass: 'container',
    runtime: s.runtime,
    autoStopInterval: s.autoStopInterval,
    autoPauseInterval: s.autoPauseInterval,
    autoArchiveInterval: s.autoArchiveInterval,
    autoDeleteInterval: s.autoDeleteInterval,
    // Berth's own: null = the organization's default (docs/previews.md).
    autoStartOnRequest: s.autoStartOnRequest,
    runnerId: s.runnerId,
    daemonVersion: BERTH_VERSION,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    lastActivityAt: s.lastActivityAt.toISOString(),
    toolboxProxyUrl: `${publicUrl}/toolbox`,
  };
  if (full) {
    Object.assign(dto, {
      env: s.env,
      networkBlockAll: s.networkBlockAll,
      networkAllowList: s.networkAllowList ?? undefined,
      domainAllowList: s.domainAllowList ?? undefined,
      volumes: s.volumes.map((v) => ({
        volumeId: v.volumeId,
        mountPath: v.mountPath,
        ...(v.subpath ? { subpath: v.subpath } : {}),
      })),
      buildInfo: s.buildInfo ?? undefined,
      kvm: false,
    });
  }
  return dto;
}

export function fileInfoDto(f: FileInfo): Record<string, unknown> {
  return {
    name: f.name,
    path: f.path,
    size: f.size,
    mode: f.mode,
    permissions: f.permissions,
    isDir: f.isDir,
    isSymlink: f.isSymlink,
    modTime: f.modTime,
    modifiedAt: f.modTime,
    owner: f.owner,
    group: f.group,
  };
}

/** Daytona SnapshotDto; resources left to the server default show that default. */
export function snapshotDto(
  s: Snapshot,
  defaults: { cpu: number; memory: number; disk: number },
): Record<string, unknown> {
  return {
    id: s.id,
    organizationId: s.organizationId,
    general: s.general,
    name: s.name,
    imageName: s.imageName,
    state: s.state,
    size: s.size === null ? null : Math.round((s.size / 1024 ** 3) * 1000) / 1000,
    entrypoint: s.entrypoint,
    cpu: s.cpu ?? defaults.cpu,
    gpu: 0,
    mem: s.memory ?? defaults.memory,
    disk: s.disk ?? defaults.disk,
    errorReason: s.errorReason,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
    regionIds: ['local'],
    ref: s.imageName,
    sourceSandboxId: s.sourceSandboxId,
    sandboxClass: 'container',
    warmPool: s.warmPool ?? { size: s.warmPoolSize ?? 0, ready: 0 },
    // Berth's own: built here from a Dockerfile or an Image, so GET …/build-logs-url answers.
    hasBuildLogs: s.buildId !== null,
  };
}

export function volumeDto(v: Volume): Record<string, unknown> {
  return {
    id: v.id,
    name: v.name,
    organizationId: v.organizationId,
    state: v.state,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
    lastUsedAt: v.lastUsedAt?.toISOString() ?? null,
    errorReason: v.errorReason,
  };
}

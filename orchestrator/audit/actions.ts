// The audited use cases of the facade, one row each: action name, target,
// the facts worth keeping, and (where the service does not check it itself)
// the permission it needs. Each table is typed by its service (AuditTable), so
// a row names a real method and reads its real parameters: renaming a method
// or reordering its parameters fails the build instead of dropping an entry.
// Toolbox changes are audited where the daemon is handed out (./daemon.ts).
// Never put secret values, keys, tokens, commands or file contents in `details`.
import type { AuditTable, AuditTarget } from './wrap.js';
import type { KeyService } from '../keys/service.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { SandboxSettings } from '../sandboxes/settings.js';
import type { SandboxStateOps } from '../sandboxes/state-ops.js';
import type { SnapshotService } from '../snapshots/service.js';
import type { VolumeService } from '../volumes/service.js';
import type { PreviewService } from '../preview/service.js';
import type { OrgService } from '../orgs/service.js';
import type { InvitationService } from '../orgs/invitations.js';
import type { OrgDefaultsService } from '../orgs/defaults.js';
import type { QuotaService } from '../quotas/service.js';
import type { SecretService } from '../secrets/service.js';
import type { SecretInjector } from '../secrets/inject.js';
import type { SshAccessService } from '../ssh/access.js';
import type { SshKeyService } from '../ssh/keys.js';
import type { RegistryService } from '../images/registries.js';
import type { RunnerService } from '../runners/service.js';

/** The sandbox of a call whose second parameter is its id or name (the result's id when it has one). */
const sandbox = (a: readonly [unknown, string, ...unknown[]], r?: object | null): AuditTarget => ({
  type: 'sandbox',
  id: r && 'id' in r && typeof r.id === 'string' ? r.id : a[1],
});
/** A field of input a service validates itself (its parameter is `unknown` until then). */
const field = (input: unknown, key: string): unknown =>
  input && typeof input === 'object' ? (input as Record<string, unknown>)[key] : undefined;
/** Input as entry details (an object's fields; nothing otherwise). */
const fields = (input: unknown): Record<string, unknown> | undefined =>
  input && typeof input === 'object' ? { ...input } : undefined;
const sandboxArg = (a: readonly [unknown, string, ...unknown[]]): AuditTarget => ({ type: 'sandbox', id: a[1] });

export const SANDBOX_ACTIONS: AuditTable<SandboxService> = {
  create: {
    action: 'sandbox.create',
    target: (_a, r) => (r ? { type: 'sandbox', id: r.id } : { type: 'sandbox' }),
    details: (a, r) => ({
      name: r?.name ?? field(a[1], 'name'),
      image: r?.image ?? field(a[1], 'image'),
      cpu: r?.cpu,
      memory: r?.memory,
      disk: r?.disk,
    }),
  },
  request: { action: (a) => `sandbox.${a[2]}`, target: sandbox },
  setLabels: { action: 'sandbox.labels.set', target: sandbox },
  setIntervals: { action: 'sandbox.intervals.set', target: sandbox, details: (a) => a[2] },
  setPublic: { action: 'sandbox.public.set', target: sandbox, details: (a) => ({ public: a[2] }) },
  setAutoStartOnRequest: {
    action: 'sandbox.auto_start_on_request.set',
    target: sandbox,
    details: (a) => ({ autoStartOnRequest: a[2] }),
  },
};

export const SETTINGS_ACTIONS: AuditTable<SandboxSettings> = {
  resize: { action: 'sandbox.resize', target: sandbox, details: (a) => fields(a[2]) },
  updateNetwork: { action: 'sandbox.network.update', target: sandbox, details: (a) => fields(a[2]) },
};

export const PREVIEW_ACTIONS: AuditTable<PreviewService> = {
  signedPreviewUrl: {
    action: 'sandbox.preview.sign',
    target: sandboxArg,
    details: (a) => ({ port: a[2], expiresInSeconds: a[3] }),
    permission: 'write:sandboxes',
  },
  expireSignedPreviewUrl: {
    action: 'sandbox.preview.expire',
    target: sandboxArg,
    details: (a) => ({ port: a[2] }),
    permission: 'write:sandboxes',
  },
  // Handing out the file-URL signing key lets its holder upload: a write, and worth recording.
  signingKey: { action: 'sandbox.signing_key.read', target: sandboxArg, permission: 'write:sandboxes' },
  rotateSigningKey: { action: 'sandbox.signing_key.rotate', target: sandboxArg, permission: 'write:sandboxes' },
};

export const SNAPSHOT_ACTIONS: AuditTable<SnapshotService> = {
  create: {
    action: 'snapshot.create',
    target: (_a, r) => ({ type: 'snapshot', id: r?.id }),
    details: (a) => ({ name: field(a[1], 'name'), imageName: field(a[1], 'imageName') }),
    permission: 'write:snapshots',
  },
  remove: {
    action: 'snapshot.delete',
    target: (a) => ({ type: 'snapshot', id: a[1] }),
    permission: 'delete:snapshots',
  },
  setActive: {
    action: (a) => (a[2] ? 'snapshot.activate' : 'snapshot.deactivate'),
    target: (a) => ({ type: 'snapshot', id: a[1] }),
    permission: 'write:snapshots',
  },
  setWarmPool: {
    action: 'snapshot.warm_pool',
    target: (a) => ({ type: 'snapshot', id: a[1] }),
    details: (a) => ({ size: field(a[2], 'size') }),
    permission: 'write:snapshots',
  },
};

export const VOLUME_ACTIONS: AuditTable<VolumeService> = {
  create: {
    action: 'volume.create',
    target: (_a, r) => ({ type: 'volume', id: r?.id }),
    details: (a) => ({ name: a[1] }),
    permission: 'write:volumes',
  },
  remove: { action: 'volume.delete', target: (a) => ({ type: 'volume', id: a[1] }), permission: 'delete:volumes' },
};

export const KEY_ACTIONS: AuditTable<KeyService> = {
  createFor: {
    action: 'api_key.create',
    target: (a, r) => ({ type: 'api_key', id: r?.id ?? a[1]?.name }),
    details: (a) => ({ name: a[1]?.name, permissions: a[1]?.permissions, expiresAt: a[1]?.expiresAt ?? null }),
  },
  revoke: {
    action: 'api_key.revoke',
    target: (a, r) => ({ type: 'api_key', id: r?.id ?? a[1] }),
    details: (a) => ({ name: a[1], ...(a[2] ? { userId: a[2] } : {}) }),
  },
};

export const ORG_ACTIONS: AuditTable<OrgService> = {
  create: {
    action: 'organization.create',
    target: (_a, r) => ({ type: 'organization', id: r?.id }),
    details: (a) => ({ name: a[1] }),
    organizationId: (_a, r) => r?.id,
  },
  remove: { action: 'organization.delete', target: (a) => ({ type: 'organization', id: a[0]?.organizationId }) },
  setRole: {
    action: 'organization.member.role',
    target: (a) => ({ type: 'user', id: a[1] }),
    details: (a) => ({ role: a[2] }),
  },
  removeMember: { action: 'organization.member.remove', target: (a) => ({ type: 'user', id: a[1] }) },
};

export const INVITATION_ACTIONS: AuditTable<InvitationService> = {
  invite: {
    action: 'organization.invitation.create',
    target: (_a, r) => ({ type: 'invitation', id: r?.id }),
    details: (a) => ({ email: a[1]?.email, role: a[1]?.role ?? 'member' }),
  },
  cancel: { action: 'organization.invitation.cancel', target: (a) => ({ type: 'invitation', id: a[1] }) },
  accept: {
    action: 'organization.invitation.accept',
    target: (a) => ({ type: 'invitation', id: a[1] }),
    organizationId: (_a, r) => r?.organizationId,
  },
  decline: {
    action: 'organization.invitation.decline',
    target: (a) => ({ type: 'invitation', id: a[1] }),
    organizationId: (_a, r) => r?.organizationId,
  },
  acceptWithToken: {
    action: 'organization.invitation.accept',
    target: (_a, r) => ({ type: 'invitation', id: r?.invitation?.id }),
    principal: (a, r) =>
      r
        ? {
            organizationId: r.invitation.organizationId,
            userId: r.userId,
            keyId: null,
            permissions: [],
            role: r.invitation.role,
            systemAdmin: false,
            email: r.invitation.email,
            source: a[2] ?? { frontend: 'rest' },
          }
        : undefined,
  },
};

export const DEFAULTS_ACTIONS: AuditTable<OrgDefaultsService> = {
  set: {
    action: 'organization.defaults.set',
    target: (a) => ({ type: 'organization', id: a[0]?.organizationId }),
    details: (a) => fields(a[1]),
  },
};

export const QUOTA_ACTIONS: AuditTable<QuotaService> = {
  set: {
    action: 'organization.quotas.set',
    target: (a) => ({ type: 'organization', id: a[1] }),
    details: (a) => a[2],
    organizationId: (a) => a[1],
  },
};

export const SECRET_ACTIONS: AuditTable<SecretService> = {
  create: {
    action: 'secret.create',
    target: (_a, r) => ({ type: 'secret', id: r?.id }),
    details: (a) => ({ name: field(a[1], 'name') }),
  },
  update: {
    action: 'secret.update',
    target: (a, r) => ({ type: 'secret', id: r?.id ?? a[1] }),
    details: (a) => ({
      value: field(a[2], 'value') !== undefined ? 'changed' : undefined,
      hosts: field(a[2], 'hosts'),
    }),
  },
  remove: {
    action: 'secret.delete',
    target: (a, r) => ({ type: 'secret', id: r?.id ?? a[1] }),
    details: (_a, r) => ({ name: r?.name }),
  },
};

export const SANDBOX_SECRET_ACTIONS: AuditTable<SecretInjector> = {
  update: { action: 'sandbox.secrets.set', target: sandbox, details: (_a, r) => ({ env: r?.secretEnv }) },
};

export const SSH_ACCESS_ACTIONS: AuditTable<SshAccessService> = {
  // Never the token: the entry's id is the access id.
  create: {
    action: 'sandbox.ssh_access.create',
    target: sandbox,
    details: (a, r) => ({ accessId: r?.id, expiresInMinutes: a[2] ?? 60 }),
  },
  revoke: {
    action: 'sandbox.ssh_access.revoke',
    target: sandboxArg,
    details: (a, r) => ({ all: a[2] === undefined, ...(typeof r === 'number' ? { revoked: r } : {}) }),
  },
};

export const SSH_KEY_ACTIONS: AuditTable<SshKeyService> = {
  add: {
    action: 'user.ssh_key.add',
    target: (_a, r) => ({ type: 'ssh_key', id: r?.id }),
    details: (a, r) => ({ name: r?.name ?? a[1]?.name, fingerprint: r?.fingerprint }),
  },
  remove: {
    action: 'user.ssh_key.remove',
    target: (a, r) => ({ type: 'ssh_key', id: r?.id ?? a[1] }),
    details: (_a, r) => ({ name: r?.name, fingerprint: r?.fingerprint }),
  },
};

export const REGISTRY_ACTIONS: AuditTable<RegistryService> = {
  create: {
    action: 'registry.create',
    target: (_a, r) => ({ type: 'registry', id: r?.id }),
    details: (a) => ({ name: field(a[1], 'name'), url: field(a[1], 'url') }),
    permission: 'write:registries',
  },
  update: {
    action: 'registry.update',
    target: (a) => ({ type: 'registry', id: a[1] }),
    permission: 'write:registries',
  },
  remove: {
    action: 'registry.delete',
    target: (a) => ({ type: 'registry', id: a[1] }),
    permission: 'delete:registries',
  },
};

export const STATE_ACTIONS: AuditTable<SandboxStateOps> = {
  snapshot: {
    action: 'sandbox.snapshot',
    target: sandboxArg,
    details: (a) => ({ name: a[2] }),
    permission: 'write:snapshots',
  },
  fork: {
    action: 'sandbox.fork',
    target: sandboxArg,
    details: (a, r) => ({ name: a[2], fork: r?.id }),
    permission: 'write:sandboxes',
  },
};

/** Runners are server-wide: the entries land in the administrator's own organization. Never the token. */
export const RUNNER_ACTIONS: AuditTable<RunnerService> = {
  create: {
    action: 'runner.create',
    target: (_a, r) => ({ type: 'runner', id: r?.id }),
    details: (a) => ({ name: a[1].name, labels: a[1].labels }),
  },
  drain: { action: 'runner.drain', target: (a) => ({ type: 'runner', id: a[1] }) },
  enable: { action: 'runner.enable', target: (a) => ({ type: 'runner', id: a[1] }) },
  remove: {
    action: 'runner.delete',
    target: (a) => ({ type: 'runner', id: a[1] }),
    details: (_a, r) => (r ? { name: r.name } : undefined),
  },
};

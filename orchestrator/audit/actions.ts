// The audited use cases of the facade, one row each: action name, target,
// the facts worth keeping, and (where the service does not check it itself)
// the permission it needs. Toolbox changes are audited where the daemon is
// handed out (./daemon.ts). Never put secret values, keys, tokens, commands
// or file contents in `details`.
import type { AuditSpec } from './wrap.js';

const sandbox = (args: any[], r?: any) => ({ type: 'sandbox', id: r?.id ?? args[1] });
const sandboxArg = (args: any[]) => ({ type: 'sandbox', id: args[1] });

export const SANDBOX_ACTIONS: Record<string, AuditSpec> = {
  create: {
    action: 'sandbox.create',
    target: (_a, r) => (r ? { type: 'sandbox', id: r.id } : { type: 'sandbox' }),
    details: (a, r) => ({ name: r?.name ?? a[1]?.name, image: r?.image ?? a[1]?.image, cpu: r?.cpu, memory: r?.memory, disk: r?.disk }),
  },
  request: { action: (a) => `sandbox.${a[2]}`, target: sandbox },
  setLabels: { action: 'sandbox.labels.set', target: sandbox },
  setIntervals: { action: 'sandbox.intervals.set', target: sandbox, details: (a) => a[2] },
  setPublic: { action: 'sandbox.public.set', target: sandbox, details: (a) => ({ public: a[2] }) },
  setAutoStartOnRequest: { action: 'sandbox.auto_start_on_request.set', target: sandbox, details: (a) => ({ autoStartOnRequest: a[2] }) },
};

export const SETTINGS_ACTIONS: Record<string, AuditSpec> = {
  resize: { action: 'sandbox.resize', target: sandbox, details: (a) => a[2] },
  updateNetwork: { action: 'sandbox.network.update', target: sandbox, details: (a) => a[2] },
};

export const PREVIEW_ACTIONS: Record<string, AuditSpec> = {
  signedPreviewUrl: { action: 'sandbox.preview.sign', target: sandboxArg, details: (a) => ({ port: a[2], expiresInSeconds: a[3] }), permission: 'write:sandboxes' },
  expireSignedPreviewUrl: { action: 'sandbox.preview.expire', target: sandboxArg, details: (a) => ({ port: a[2] }), permission: 'write:sandboxes' },
  // Handing out the file-URL signing key lets its holder upload: a write, and worth recording.
  signingKey: { action: 'sandbox.signing_key.read', target: sandboxArg, permission: 'write:sandboxes' },
  rotateSigningKey: { action: 'sandbox.signing_key.rotate', target: sandboxArg, permission: 'write:sandboxes' },
};

export const SNAPSHOT_ACTIONS: Record<string, AuditSpec> = {
  create: { action: 'snapshot.create', target: (_a, r) => ({ type: 'snapshot', id: r?.id }), details: (a) => ({ name: a[1]?.name, imageName: a[1]?.imageName }), permission: 'write:snapshots' },
  remove: { action: 'snapshot.delete', target: (a) => ({ type: 'snapshot', id: a[1] }), permission: 'delete:snapshots' },
  setActive: { action: (a) => (a[2] ? 'snapshot.activate' : 'snapshot.deactivate'), target: (a) => ({ type: 'snapshot', id: a[1] }), permission: 'write:snapshots' },
  setWarmPool: {
    action: 'snapshot.warm_pool',
    target: (a) => ({ type: 'snapshot', id: a[1] }),
    details: (a) => ({ size: a[2]?.size }),
    permission: 'write:snapshots',
  },
};

export const VOLUME_ACTIONS: Record<string, AuditSpec> = {
  create: { action: 'volume.create', target: (_a, r) => ({ type: 'volume', id: r?.id }), details: (a) => ({ name: a[1] }), permission: 'write:volumes' },
  remove: { action: 'volume.delete', target: (a) => ({ type: 'volume', id: a[1] }), permission: 'delete:volumes' },
};

export const KEY_ACTIONS: Record<string, AuditSpec> = {
  createFor: { action: 'api_key.create', target: (a, r) => ({ type: 'api_key', id: r?.id ?? a[1]?.name }), details: (a) => ({ name: a[1]?.name, permissions: a[1]?.permissions, expiresAt: a[1]?.expiresAt ?? null }) },
  revoke: { action: 'api_key.revoke', target: (a, r) => ({ type: 'api_key', id: r?.id ?? a[1] }), details: (a) => ({ name: a[1], ...(a[2] ? { userId: a[2] } : {}) }) },
};

export const ORG_ACTIONS: Record<string, AuditSpec> = {
  create: { action: 'organization.create', target: (_a, r) => ({ type: 'organization', id: r?.id }), details: (a) => ({ name: a[1] }), organizationId: (_a, r) => r?.id },
  remove: { action: 'organization.delete', target: (a) => ({ type: 'organization', id: a[0]?.organizationId }) },
  setRole: { action: 'organization.member.role', target: (a) => ({ type: 'user', id: a[1] }), details: (a) => ({ role: a[2] }) },
  removeMember: { action: 'organization.member.remove', target: (a) => ({ type: 'user', id: a[1] }) },
};

export const INVITATION_ACTIONS: Record<string, AuditSpec> = {
  invite: { action: 'organization.invitation.create', target: (_a, r) => ({ type: 'invitation', id: r?.id }), details: (a) => ({ email: a[1]?.email, role: a[1]?.role ?? 'member' }) },
  cancel: { action: 'organization.invitation.cancel', target: (a) => ({ type: 'invitation', id: a[1] }) },
  accept: { action: 'organization.invitation.accept', target: (a) => ({ type: 'invitation', id: a[1] }), organizationId: (_a, r) => r?.organizationId },
  decline: { action: 'organization.invitation.decline', target: (a) => ({ type: 'invitation', id: a[1] }), organizationId: (_a, r) => r?.organizationId },
  acceptWithToken: {
    action: 'organization.invitation.accept',
    target: (_a, r) => ({ type: 'invitation', id: r?.invitation?.id }),
    principal: (_a, r) => (r ? { organizationId: r.invitation.organizationId, userId: r.userId, keyId: null, permissions: [], role: r.invitation.role, systemAdmin: false, email: r.invitation.email, source: { frontend: 'rest' } } : undefined),
  },
};

export const DEFAULTS_ACTIONS: Record<string, AuditSpec> = {
  set: { action: 'organization.defaults.set', target: (a) => ({ type: 'organization', id: a[0]?.organizationId }), details: (a) => a[1] },
};

export const QUOTA_ACTIONS: Record<string, AuditSpec> = {
  set: { action: 'organization.quotas.set', target: (a) => ({ type: 'organization', id: a[1] }), details: (a) => a[2], organizationId: (a) => a[1] },
};

export const SECRET_ACTIONS: Record<string, AuditSpec> = {
  create: { action: 'secret.create', target: (_a, r) => ({ type: 'secret', id: r?.id }), details: (a) => ({ name: a[1]?.name }) },
  update: { action: 'secret.update', target: (a, r) => ({ type: 'secret', id: r?.id ?? a[1] }), details: (a) => ({ value: a[2]?.value !== undefined ? 'changed' : undefined, hosts: a[2]?.hosts }) },
  remove: { action: 'secret.delete', target: (a, r) => ({ type: 'secret', id: r?.id ?? a[1] }), details: (_a, r) => ({ name: r?.name }) },
};

export const SANDBOX_SECRET_ACTIONS: Record<string, AuditSpec> = {
  update: { action: 'sandbox.secrets.set', target: sandbox, details: (_a, r) => ({ env: r?.secretEnv }) },
};

export const SSH_ACCESS_ACTIONS: Record<string, AuditSpec> = {
  // Never the token: the entry's id is the access id.
  create: { action: 'sandbox.ssh_access.create', target: sandbox, details: (a, r) => ({ accessId: r?.id, expiresInMinutes: a[2] ?? 60 }) },
  revoke: { action: 'sandbox.ssh_access.revoke', target: sandboxArg, details: (a, r) => ({ all: a[2] === undefined, ...(typeof r === 'number' ? { revoked: r } : {}) }) },
};

export const SSH_KEY_ACTIONS: Record<string, AuditSpec> = {
  add: { action: 'user.ssh_key.add', target: (_a, r) => ({ type: 'ssh_key', id: r?.id }), details: (a, r) => ({ name: r?.name ?? a[1]?.name, fingerprint: r?.fingerprint }) },
  remove: { action: 'user.ssh_key.remove', target: (a, r) => ({ type: 'ssh_key', id: r?.id ?? a[1] }), details: (_a, r) => ({ name: r?.name, fingerprint: r?.fingerprint }) },
};

export const REGISTRY_ACTIONS: Record<string, AuditSpec> = {
  create: { action: 'registry.create', target: (_a, r) => ({ type: 'registry', id: r?.id }), details: (a) => ({ name: a[1]?.name, url: a[1]?.url }), permission: 'write:registries' },
  update: { action: 'registry.update', target: (a) => ({ type: 'registry', id: a[1] }), permission: 'write:registries' },
  remove: { action: 'registry.delete', target: (a) => ({ type: 'registry', id: a[1] }), permission: 'delete:registries' },
};

export const STATE_ACTIONS: Record<string, AuditSpec> = {
  snapshot: { action: 'sandbox.snapshot', target: sandboxArg, details: (a) => ({ name: a[2] }), permission: 'write:snapshots' },
  fork: { action: 'sandbox.fork', target: sandboxArg, details: (a, r) => ({ name: a[2], fork: r?.id }), permission: 'write:sandboxes' },
};

// API key permissions, with Daytona's names plus Berth's own (secrets and
// organization management). Reading an organization's sandboxes needs none;
// an empty list is a read-only key.
export const PERMISSIONS = [
  'write:sandboxes',
  'delete:sandboxes',
  'write:snapshots',
  'delete:snapshots',
  'read:volumes',
  'write:volumes',
  'delete:volumes',
  'write:registries',
  'delete:registries',
  'read:audit_logs',
  'write:secrets',
  'delete:secrets',
  'manage:organization',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What each member role holds. A key acts with the intersection of its own
 * permissions and its user's role in the organization it acts in, so demoting
 * a member narrows every key they made at once.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS,
  member: PERMISSIONS.filter(
    (p) => p !== 'read:audit_logs' && p !== 'write:secrets' && p !== 'delete:secrets' && p !== 'manage:organization',
  ),
};

export const isPermission = (s: string): s is Permission => (PERMISSIONS as readonly string[]).includes(s);
export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);

// API key permissions, with Daytona's names. Reading an organization's
// sandboxes needs none; an empty list is a read-only key.
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
] as const;
export type Permission = (typeof PERMISSIONS)[number];

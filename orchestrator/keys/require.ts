// Checks an API key permission (Daytona's names) before a use case runs.
// Nothing bypasses it: a system administrator's read-only key is read-only.
import { AppError } from '../../common/errors.js';
import type { Principal } from '../principal.js';
import { ROLE_PERMISSIONS, type Permission } from './permissions.js';

export function hasPermission(p: Principal, permission: Permission): boolean {
  if (p.permissions.includes(permission)) return true;
  // Credentials other than API keys (web sessions, SSH tokens) carry their member role instead.
  return p.keyId === null && ROLE_PERMISSIONS[p.role].includes(permission);
}

export function requirePermission(p: Principal, permission: Permission): void {
  if (hasPermission(p, permission)) return;
  throw new AppError('forbidden', `this API key lacks the ${permission} permission`, {
    hint: `use a key created with ${permission} (POST /api/api-keys {name, permissions: ["${permission}"]} by a member whose role holds it)`,
    details: { required: permission },
  });
}

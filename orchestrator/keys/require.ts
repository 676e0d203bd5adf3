// Checks an API key permission (Daytona's names) before a use case runs.
import { AppError } from '../../common/errors.js';
import type { Principal } from '../principal.js';
import type { Permission } from './permissions.js';

export function requirePermission(p: Principal, permission: Permission): void {
  if (p.systemAdmin || p.permissions.includes(permission)) return;
  // Credentials other than API keys (web sessions, SSH tokens) carry their member role instead.
  if (p.keyId === null && (p.role === 'owner' || p.role === 'admin')) return;
  throw new AppError('forbidden', `this API key lacks the ${permission} permission`, { hint: `use a key created with ${permission}` });
}

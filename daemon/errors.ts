// Maps Node's errno failures inside the sandbox to AppErrors whose `reason`
// is the Daytona daemon code, so SDKs raise their typed errors.
import { AppError } from '../common/errors.js';

export function fsError(err: unknown, path: string): AppError {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof AppError) return err;
  switch (e?.code) {
    case 'ENOENT':
      return new AppError('not_found', `no such file or directory: ${path}`, {
        reason: 'FILE_NOT_FOUND',
        hint: 'check the path; relative paths start at the sandbox working directory',
      });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new AppError('forbidden', `permission denied: ${path}`, {
        reason: 'FILE_ACCESS_DENIED',
        hint: 'the sandbox user cannot access this path; use a path under its home or change the permissions',
      });
    case 'EISDIR':
      return new AppError('invalid_argument', `is a directory: ${path}`, {
        reason: 'INVALID_FILE_PATH',
        hint: 'give a file path, or use the folder operations',
      });
    case 'ENOTDIR':
      return new AppError('invalid_argument', `not a directory: ${path}`, {
        reason: 'INVALID_FILE_PATH',
        hint: 'a component of the path is a file',
      });
    case 'EEXIST':
    case 'ENOTEMPTY':
      return new AppError('conflict', `already exists: ${path}`, { reason: 'FILE_EXISTS' });
    case 'ENAMETOOLONG':
      return new AppError('invalid_argument', `path too long: ${path.slice(0, 200)}…`, { reason: 'INVALID_FILE_PATH' });
    case 'ENOSPC':
    case 'EDQUOT':
      return new AppError('failed_precondition', `no space left writing ${path}`, {
        reason: 'DISK_FULL',
        hint: 'delete files in the sandbox or give it more disk',
      });
    case 'ELOOP':
      return new AppError('invalid_argument', `too many symbolic links: ${path}`, { reason: 'INVALID_FILE_PATH' });
    case 'EMFILE':
    case 'ENFILE':
      return new AppError('unavailable', 'too many open files in the sandbox', { reason: 'FILE_READ_FAILED' });
    default:
      return new AppError('internal', `file operation failed on ${path}: ${e?.message ?? String(err)}`, {
        reason: 'FILE_READ_FAILED',
      });
  }
}

// Docker's errors in Berth's terms, and the labels on everything Berth
// creates — shared by the Docker runtime's files.
import { AppError } from '../../common/errors.js';

export const LABELS = {
  sandbox: 'berth.sandbox',
  runner: 'berth.runner',
  version: 'berth.version',
  organization: 'berth.organization',
  managed: 'berth.managed',
  role: 'berth.role',
  pool: 'berth.pool',
} as const;

interface DockerError extends Error {
  statusCode?: number;
  reason?: string;
  json?: { message?: string };
}

export const status = (e: unknown) => (e as DockerError)?.statusCode;
export const message = (e: unknown) => (e as DockerError)?.json?.message ?? (e as Error)?.message ?? String(e);

/** Connection failures mean the engine is down: callers keep state and retry later. */
export function wrap(e: unknown, what: string): AppError {
  if (e instanceof AppError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ECONNRESET' || code === 'EPIPE') {
    return new AppError('unavailable', `Docker engine unreachable while trying to ${what}: ${code}`, {
      hint: 'start the Docker engine (`berth up` starts dockerd on Debian); sandboxes keep their state and resume when it is back',
      reason: 'ENGINE_UNAVAILABLE',
    });
  }
  const s = status(e);
  if (s === 404) return new AppError('not_found', `${what}: ${message(e)}`);
  if (s === 409) return new AppError('conflict', `${what}: ${message(e)}`);
  return new AppError('internal', `Docker failed to ${what}: ${message(e)}`, { recoverable: true });
}

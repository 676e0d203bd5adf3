// Path handling inside the sandbox. The daemon runs as the sandbox user, so
// the kernel is the confinement; this only normalises and rejects what can
// never be a path.
import { isAbsolute, resolve } from 'node:path';
import { AppError } from '../common/errors.js';

export interface PathContext {
  workdir: string;
  home: string;
}

export function resolvePath(ctx: PathContext, input: string | null | undefined, what = 'path'): string {
  if (input === undefined || input === null || input === '') {
    throw new AppError('invalid_argument', `${what} is required`, {
      reason: 'INVALID_FILE_PATH',
      hint: `pass ${what}=<path>`,
    });
  }
  if (input.includes('\0')) {
    throw new AppError('invalid_argument', `${what} contains a NUL byte`, {
      reason: 'INVALID_FILE_PATH',
      hint: 'remove the NUL character from the path',
    });
  }
  if (input.length > 4096) {
    throw new AppError('invalid_argument', `${what} is longer than 4096 bytes`, { reason: 'INVALID_FILE_PATH' });
  }
  let p = input;
  if (p === '~') p = ctx.home;
  else if (p.startsWith('~/')) p = ctx.home + p.slice(1);
  return isAbsolute(p) ? resolve(p) : resolve(ctx.workdir, p);
}

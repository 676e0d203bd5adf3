// Path input for the search and edit routes: on top of resolvePath, refuse
// text that was not valid UTF-8 on the wire (decoded to U+FFFD), which would
// otherwise silently name a different file.
import { AppError } from '../../common/errors.js';
import { resolvePath, type PathContext } from '../paths.js';

export function strictPath(ctx: PathContext, input: string | null | undefined, what = 'path'): string {
  if (input?.includes('\uFFFD')) {
    throw new AppError('invalid_argument', `${what} is not valid UTF-8`, {
      reason: 'INVALID_FILE_PATH',
      hint: 'percent-encode the path as UTF-8',
    });
  }
  return resolvePath(ctx, input, what);
}

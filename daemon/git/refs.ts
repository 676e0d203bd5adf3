// Validation of names that end up as git arguments: nothing may start with
// `-` (it would be read as an option) or hold characters git refuses anyway.
import { AppError } from '../../common/errors.js';

const REF_RE = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!.*[/.]$)[^\s\0-\x1f\x7f~^:?*[\\]+$/;

export function refName(name: string, what = 'branch'): string {
  if (!REF_RE.test(name)) {
    throw new AppError('invalid_argument', `invalid ${what} name ${JSON.stringify(name)}`, {
      reason: 'BAD_REQUEST',
      hint: `a ${what} name cannot start with "-", contain spaces, "..", "~", "^", ":", "?", "*", "[" or "\\", or end with "/", "." or ".lock"`,
    });
  }
  return name;
}

/** Remote names, config keys and revisions: only refuse what git would take as an option. */
export function notOption(value: string, what: string): string {
  if (!value || value.startsWith('-') || value.includes('\0')) {
    throw new AppError('invalid_argument', `invalid ${what} ${JSON.stringify(value)}`, {
      reason: 'BAD_REQUEST',
      hint: `${what} must not be empty or start with "-"`,
    });
  }
  return value;
}

export function configKey(key: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*(\.[^\0\n]+)?\.[A-Za-z][A-Za-z0-9-]*$/.test(key)) {
    throw new AppError('invalid_argument', `invalid git config key ${JSON.stringify(key)}`, {
      reason: 'BAD_REQUEST',
      hint: 'use section.name or section.subsection.name, e.g. user.email',
    });
  }
  return key;
}

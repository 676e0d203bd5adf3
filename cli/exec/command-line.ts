// What `berth sandbox exec <id> -- …` runs. One argument is a shell command
// line, run as written (`-- 'for i in 1 2 3; do echo $i; done'`); several are
// a program and its arguments, each quoted so the shell hands them over
// exactly (`-- python3 -c "print(6*7)"` runs python3 with two arguments).
import { AppError } from '../../common/errors.js';

const SAFE = /^[A-Za-z0-9_/.,:=@%+-]+$/;

/** Quotes a word for a POSIX shell (left bare when nothing in it is special). */
export const shellQuote = (s: string): string => (SAFE.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function commandLine(argv: string[]): string {
  if (!argv.length || argv.every((a) => a === '')) {
    throw new AppError('invalid_argument', 'no command given', { hint: 'berth sandbox exec <id> -- ls -la' });
  }
  return argv.length === 1 ? argv[0]! : argv.map(shellQuote).join(' ');
}

export interface Placement {
  cwd?: string;
  env?: Record<string, string>;
}

/**
 * The line a session's shell runs: the command in a shell of its own (`$0` is
 * the session's shell, bash or sh), so `exit` ends only the command and
 * Ctrl-C reaches the shell that runs a loop; in `cwd`, with `env` exported.
 */
export function sessionLine(script: string, p: Placement = {}): string {
  const bad = Object.keys(p.env ?? {}).find((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  if (bad !== undefined) {
    throw new AppError('invalid_argument', `--env ${JSON.stringify(bad)} is not a variable name`, {
      hint: 'names are letters, digits and _, not starting with a digit',
    });
  }
  const env = Object.entries(p.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)} `).join('');
  const cd = p.cwd ? `cd -- ${shellQuote(p.cwd)} && ` : '';
  return `${cd}${env}"$0" -c ${shellQuote(script)}`;
}

// What `berth sandbox exec <id> -- …` runs. One argument is a shell command
// line, run as written (`-- 'for i in 1 2 3; do echo $i; done'`); several are
// a program and its arguments (`-- python3 -c "print(6*7)"` runs python3 with
// two arguments): attached, they go as an argv; for --json (the execute route
// takes one line) each is quoted so the shell hands them over exactly.
import { AppError } from '../../common/errors.js';

const SAFE = /^[A-Za-z0-9_/.,:=@%+-]+$/;

/** Quotes a word for a POSIX shell (left bare when nothing in it is special). */
const shellQuote = (s: string): string => (SAFE.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function commandLine(argv: string[]): string {
  if (!argv.length || argv.every((a) => a === '')) {
    throw new AppError('invalid_argument', 'no command given', { hint: 'berth sandbox exec <id> -- ls -la' });
  }
  return argv.length === 1 ? argv[0]! : argv.map(shellQuote).join(' ');
}

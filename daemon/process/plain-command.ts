// A one-shot command the shell would only split into words and run as a
// program (`python3 app.py`, `ls -la src`, `git status`) starts without the
// shell: bash alone takes ~7 ms to start on a small host, most of a short
// command's time (docs/performance.md). Anything the shell would do more with
// (quotes, variables, globs, redirections, operators, builtins, keywords,
// assignments, a program not found) still goes through it, so the output and
// the exit code are the shell's in every case.
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Characters a word may have that no shell gives a meaning to. */
const PLAIN_WORD = /^[A-Za-z0-9_./:@%+,=-]+$/;

/** Builtins and keywords of bash and sh: run by the shell itself, or differently from a program of that name. */
const SHELL_WORDS = new Set(
  (
    '. : [ [[ ]] { } ! alias bg bind break builtin caller case cd command compgen complete compopt continue ' +
    'coproc declare dirs disown do done elif else enable esac eval exec exit export false fc fg fi for ' +
    'function getopts hash help history if in jobs kill let local logout mapfile popd printf pushd pwd read ' +
    'readarray readonly return select set shift shopt source suspend test then time times trap true type ' +
    'typeset ulimit umask unalias unset until wait while'
  ).split(' '),
);

/** The program and its arguments, when running the command without a shell gives exactly the shell's result. */
export function plainArgv(command: string, env: Record<string, string>): string[] | null {
  // A file the shell would source first (BASH_ENV) could define functions or aliases of any name.
  if (env.BASH_ENV || env.ENV) return null;
  const words = command.trim().split(/[ \t]+/);
  const [program] = words;
  if (!program || !words.every((w) => PLAIN_WORD.test(w))) return null;
  if (program.includes('=') || SHELL_WORDS.has(program)) return null;
  // The echo builtin and /bin/echo agree except on options (`--help`, `--version`).
  if (program === 'echo' && words.some((w, i) => i > 0 && w.startsWith('-'))) return null;
  return words;
}

function isProgram(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where the shell would find `name` with this PATH and working directory, or null (then the shell says why). */
export function lookPath(name: string, path: string | undefined, cwd: string): string | null {
  // As given: the program starts in `cwd`, and a script's interpreter gets the path the shell would pass.
  if (name.includes('/')) return isProgram(isAbsolute(name) ? name : resolve(cwd, name)) ? name : null;
  if (!path) return null;
  for (const dir of path.split(':')) {
    const file = join(dir ? resolve(cwd, dir) : cwd, name);
    if (isProgram(file)) return file;
  }
  return null;
}

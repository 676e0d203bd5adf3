import { spawn } from 'node:child_process';

/** Runs a command with inherited stdio (progress visible); resolves with its exit code. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: opts.quiet ? 'ignore' : 'inherit', env: opts.env ?? process.env });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export const step = (msg: string) => process.stderr.write(`\x1b[1m==> ${msg}\x1b[0m\n`);

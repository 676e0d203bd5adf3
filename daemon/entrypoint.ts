// Runs the image's own entrypoint/cmd as a child of the daemon and keeps the
// tail of its output in memory (it never reaches Docker's log, which is capped).
import type { DaemonContext } from './context.js';

const KEEP_BYTES = 1 << 20;

export interface EntrypointState {
  command: string[];
  pid?: number;
  exitCode?: number | null;
  output: Buffer[];
  size: number;
}

export function startEntrypoint(ctx: DaemonContext, command: string[]): EntrypointState | null {
  if (!command.length) return null;
  const state: EntrypointState = { command, output: [], size: 0 };
  const keep = (chunk: Buffer) => {
    state.output.push(chunk);
    state.size += chunk.length;
    while (state.size > KEEP_BYTES && state.output.length > 1) state.size -= state.output.shift()!.length;
  };
  try {
    const child = ctx.spawner.spawn(command[0]!, command.slice(1), { cwd: ctx.paths.workdir, env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
    state.pid = child.pid;
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (e) => keep(Buffer.from(`berth: entrypoint failed to start: ${e.message}\n`)));
    child.on('exit', (code, signal) => (state.exitCode = code ?? (signal ? -1 : null)));
  } catch (e) {
    keep(Buffer.from(`berth: entrypoint failed to start: ${(e as Error).message}\n`));
    state.exitCode = -1;
  }
  return state;
}

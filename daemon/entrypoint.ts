// Runs the image's own entrypoint/cmd as a child of the daemon and keeps the
// tail of its output in memory, stdout and stderr apart, for the `entrypoint`
// session. The output also goes on to the daemon's own stdout/stderr (PID 1's,
// which Docker keeps, capped, with timestamps) for the telemetry logs route.
import type { DaemonContext } from './context.js';
import { OutputLog } from './sessions/output-log.js';

const KEEP_BYTES = 1 << 20;

export interface EntrypointState {
  command: string[];
  pid?: number;
  exitCode?: number | null;
  startedAt: Date;
  log: OutputLog;
}

export function startEntrypoint(ctx: DaemonContext, command: string[]): EntrypointState | null {
  if (!command.length) return null;
  const state: EntrypointState = { command, startedAt: new Date(), log: new OutputLog(KEEP_BYTES) };
  const fail = (e: Error) => {
    state.log.append(2, `berth: entrypoint failed to start: ${e.message}\n`);
    state.exitCode = -1;
    state.log.close();
  };
  try {
    const child = ctx.spawner.spawn(command[0]!, command.slice(1), {
      cwd: ctx.paths.workdir,
      env: ctx.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    state.pid = child.pid;
    child.stdout?.on('data', (c: Buffer) => {
      state.log.append(1, c);
      process.stdout.write(c);
    });
    child.stderr?.on('data', (c: Buffer) => {
      state.log.append(2, c);
      process.stderr.write(c);
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => (state.exitCode = code ?? (signal ? -1 : null)));
    // Pipes may outlive the process (children it left behind); the log ends with them.
    child.on('close', () => state.log.close());
  } catch (e) {
    fail(e as Error);
  }
  return state;
}

// Fault injection for the crash-safety tests: with BERTH_CRASH_AT=<name> the
// process kills itself with SIGKILL on reaching that point (as `kill -9` would
// at that instant). Inert unless that variable names the point.
export function crashpoint(name: string): void {
  if (process.env.BERTH_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}

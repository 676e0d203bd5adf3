// Process start times from /proc: with the pid, they name one process even
// when pids are reused (a session tells its earlier commands' processes apart).
import { readFileSync } from 'node:fs';

/** Clock ticks since boot at which the process started, or null when it is gone. */
export function startTicks(pid: number): number | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields after the command name start at field 3.
    const v = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

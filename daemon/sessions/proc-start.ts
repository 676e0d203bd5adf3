// Process start times from /proc, to tell the processes a session command
// started from those that earlier commands left running in the background.
import { readFileSync } from 'node:fs';

/** Clock ticks since boot (USER_HZ is 100 on every Linux the daemon runs on). */
export function nowTicks(): number {
  try {
    return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100);
  } catch {
    return 0;
  }
}

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

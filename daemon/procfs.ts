// Reads the process table from /proc. Used to find a command's whole tree
// (to kill it) and the orphaned zombies PID 1 must reap.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
}

export function readStat(pid: number): ProcStat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: parse after the last ')'.
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]), sid: Number(rest[3]) };
  } catch {
    return null;
  }
}

export function listProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (st) out.push(st);
  }
  return out;
}

/**
 * The pid, its descendants, and everything in its process group or session, even once it has died
 * (Linux never gives a pid to a new process while a group or session still bears it).
 */
export function processTree(root: number, table = listProcesses()): number[] {
  const found = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (found.has(p.pid)) continue;
      if (found.has(p.ppid) || p.pgid === root || p.sid === root) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

export function killTree(root: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  // The tree is read before anything dies: once the root is gone its children hang off PID 1 and its
  // session can no longer be told by its stat (an interactive shell's jobs sit in groups of their own).
  const tree = processTree(root);
  // Signal the group first (cheap, atomic), then every straggler we saw.
  try {
    process.kill(-root, signal);
  } catch {
    /* not a group leader or already gone */
  }
  for (const pid of tree) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

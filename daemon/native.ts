// The daemon's native addon (daemon/native): found next to the bundle when
// injected into a sandbox, or as the workspace package when run from source.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface Native {
  /** waitpid(pid, WNOHANG) for an orphan: the pid if reaped, 0 if running, -1 if not ours. */
  reapPid(pid: number): number;
  // Optional: an addon from an older build lacks them and commands start through Node's spawn.
  /** posix_spawnp in a new session with three close-on-exec pipes (and a socket pair as fd 3): [pid, stdin, stdout, stderr, fd3 or -1]. */
  spawnPiped?(file: string, argv: string[], envp: string[], cwd: string, fd3: boolean): [number, number, number, number, number];
  /** null while running; else [exit code, signal number] (both null: not our child). */
  waitPid?(pid: number): [number | null, number | null] | null;
}

export function loadNative(bundleDir: string): Native | null {
  const req = createRequire(join(bundleDir, 'daemon.js'));
  for (const id of [join(bundleDir, 'berth_native.node'), '@berth/daemon-native']) {
    try {
      const n = req(id) as Partial<Native>;
      if (typeof n.reapPid === 'function') return n as Native;
    } catch {
      /* try the next */
    }
  }
  return null;
}

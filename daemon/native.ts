// The daemon's native addon (daemon/native): found next to the bundle when
// injected into a sandbox, or as the workspace package when run from source.
import { requireFromBundle } from './bundle-require.js';

export interface Native {
  /** posix_spawnp in a new session with three close-on-exec pipes (and a socket pair as fd 3): [pid, stdin, stdout, stderr, fd3 or -1]. */
  spawnPiped(
    file: string,
    argv: string[],
    envp: string[],
    cwd: string,
    fd3: boolean,
  ): [number, number, number, number, number];
  /** waitpid(pid, WNOHANG): null while it runs, else [exit code, signal number]; both null when it is not our child. */
  waitPid(pid: number): [number | null, number | null] | null;
}

/** Whether `waitPid` collected a child (rather than finding it running, or not ours). */
export const collected = (status: ReturnType<Native['waitPid']>): boolean =>
  status !== null && (status[0] !== null || status[1] !== null);

export function loadNative(bundleDir: string): Native | null {
  try {
    return requireFromBundle<Native>(bundleDir, 'berth_native.node', '@berth/daemon-native');
  } catch {
    return null; // commands start through Node and orphans are not reaped (health says so)
  }
}

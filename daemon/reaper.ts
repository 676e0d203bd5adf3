// As PID 1 the daemon inherits every orphan in the sandbox. libuv waits only
// for its own children, so zombies of everything else would pile up until the
// pid limit is hit. This reaps them with a native waitpid on known pids only.
import { collected, type Native } from './native.js';
import { listProcesses } from './procfs.js';
import type { Spawner } from './spawner.js';

export interface Reaper {
  available: boolean;
  reapNow(): number;
  stop(): void;
}

export function startReaper(spawner: Spawner, native: Native | null, intervalMs = 2000): Reaper {
  const reapNow = (): number => {
    if (!native) return 0;
    let n = 0;
    for (const p of listProcesses()) {
      if (p.state === 'Z' && p.ppid === process.pid && !spawner.isOwned(p.pid) && collected(native.waitPid(p.pid))) n++;
    }
    return n;
  };
  // Only PID 1 inherits orphans; anywhere else there is nothing to do.
  const active = native !== null && process.pid === 1;
  let timer: NodeJS.Timeout | undefined;
  if (active) {
    timer = setInterval(reapNow, intervalMs);
    timer.unref();
    spawner.onChildExit(() => setTimeout(reapNow, 50).unref());
  }
  return { available: native !== null, reapNow, stop: () => timer && clearInterval(timer) };
}

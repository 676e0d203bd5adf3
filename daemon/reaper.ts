// As PID 1 the daemon inherits every orphan in the sandbox. libuv waits only
// for its own children, so zombies of everything else would pile up until the
// pid limit is hit. This reaps them with a native waitpid on known pids only.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { listProcesses } from './procfs.js';
import type { Spawner } from './spawner.js';

type Native = { reapPid(pid: number): number };

function loadNative(dir: string): Native | null {
  const req = createRequire(join(dir, 'daemon.js'));
  for (const id of [join(dir, 'berth_native.node'), '@berth/daemon-native']) {
    try {
      return req(id) as Native;
    } catch {
      /* try the next */
    }
  }
  return null;
}

export interface Reaper {
  available: boolean;
  reapNow(): number;
  stop(): void;
}

export function startReaper(spawner: Spawner, bundleDir: string, intervalMs = 2000): Reaper {
  const native = loadNative(bundleDir);
  const reapNow = (): number => {
    if (!native) return 0;
    let n = 0;
    for (const p of listProcesses()) {
      if (p.state === 'Z' && p.ppid === process.pid && !spawner.isOwned(p.pid) && native.reapPid(p.pid) > 0) n++;
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

// Whether the host is too busy to start warm sandboxes now: refills wait
// while the 1-minute load average per core or the share of available memory
// is past its threshold, so a pool never competes with running sandboxes.
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';

export function hostPressure(maxLoadPerCore: number, minFreeMemoryPercent: number): () => string | null {
  return () => {
    const load = loadavg()[0]! / availableParallelism();
    if (load > maxLoadPerCore) return `load ${load.toFixed(2)} per core > ${maxLoadPerCore}`;
    const free = (freemem() / totalmem()) * 100;
    if (free < minFreeMemoryPercent) return `available memory ${free.toFixed(1)}% < ${minFreeMemoryPercent}%`;
    return null;
  };
}

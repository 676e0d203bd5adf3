// Resource use of the sandbox as its cgroup sees it (v2, else v1), falling
// back to the kernel-wide numbers where a limit is absent.
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import type { SystemMetrics } from '../../common/wire/toolbox.js';

const read = (p: string): string | null => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
};
const num = (s: string | null | undefined): number | null => (s && /^\d+$/.test(s) ? Number(s) : null);

function statField(text: string | null, key: string): number | null {
  const m = text ? new RegExp(`^${key} (\\d+)$`, 'm').exec(text) : null;
  return m ? Number(m[1]) : null;
}

export function cpuLimit(): number {
  const max = read('/sys/fs/cgroup/cpu.max');
  if (max) {
    const [q, p] = max.split(' ');
    if (q !== 'max' && Number(p) > 0) return Number(q) / Number(p);
  }
  const q1 = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'));
  const p1 = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  if (q1 > 0 && p1 > 0) return q1 / p1;
  return os.cpus().length;
}

/** CPU time used by the cgroup so far, in microseconds. */
function cpuUsageUsec(): number | null {
  const v2 = statField(read('/sys/fs/cgroup/cpu.stat'), 'usage_usec');
  if (v2 !== null) return v2;
  const v1 = num(read('/sys/fs/cgroup/cpuacct/cpuacct.usage'));
  return v1 === null ? null : v1 / 1000;
}

function memory(): { total: number; used: number; cache: number } {
  const hostTotal = os.totalmem();
  let limit = num(read('/sys/fs/cgroup/memory.max')) ?? num(read('/sys/fs/cgroup/memory/memory.limit_in_bytes'));
  if (!limit || limit > hostTotal) limit = hostTotal;
  const current =
    num(read('/sys/fs/cgroup/memory.current')) ?? num(read('/sys/fs/cgroup/memory/memory.usage_in_bytes'));
  const stat = read('/sys/fs/cgroup/memory.stat') ?? read('/sys/fs/cgroup/memory/memory.stat');
  const cache = statField(stat, 'file') ?? statField(stat, 'cache') ?? 0;
  const inactive = statField(stat, 'inactive_file') ?? statField(stat, 'total_inactive_file') ?? 0;
  // Like `docker stats`: page cache that can be dropped is not "used".
  const used = current !== null ? Math.max(0, current - inactive) : hostTotal - os.freemem();
  return { total: limit, used, cache };
}

export async function systemMetrics(sampleMs = 100): Promise<SystemMetrics> {
  const cpus = cpuLimit();
  const u0 = cpuUsageUsec();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, sampleMs));
  const u1 = cpuUsageUsec();
  const elapsedUsec = Number(process.hrtime.bigint() - t0) / 1000;
  const cpuUsedPct =
    u0 !== null && u1 !== null && elapsedUsec > 0 ? Math.min(100, ((u1 - u0) / elapsedUsec / cpus) * 100) : 0;
  const mem = memory();
  let diskTotal = 0;
  let diskFree = 0;
  try {
    const fs = await statfs('/');
    diskTotal = fs.blocks * fs.bsize;
    diskFree = fs.bavail * fs.bsize;
  } catch {
    /* no statfs */
  }
  const now = new Date();
  return {
    cpuCount: Math.round(cpus * 100) / 100,
    cpuUsedPct: Math.round(cpuUsedPct * 100) / 100,
    memTotal: mem.total,
    memUsed: mem.used,
    memCache: mem.cache,
    diskTotal,
    diskUsed: Math.max(0, diskTotal - diskFree),
    diskFree,
    timestamp: now.toISOString(),
    timestampUnix: Math.floor(now.getTime() / 1000),
  };
}

// Usage per UTC day. Bookings (usage/service.ts) add their minutes to the
// days they fall on (usage_daily); a report adds, like the per-sandbox one,
// the interval since each active sandbox's last booking at its current rates,
// without writing. Days are cut at midnight UTC.
import type { UsageDailyRepo } from './daily-repo.js';

export const DAY_MS = 86_400_000;

/** Most days one report covers. */
export const DAILY_MAX_DAYS = 366;

export interface DayUsage {
  /** YYYY-MM-DD (UTC). */
  date: string;
  cpuMinutes: number;
  memoryGiBMinutes: number;
  diskGiBMinutes: number;
  /** Sandboxes that had a container (running or stopped) at some time that day. */
  sandboxes: number;
  /** Sandboxes that ran at some time that day. */
  runningSandboxes: number;
}

export interface DailyUsageReport {
  organizationId: string;
  /** First and last day of the report (UTC), both included. */
  from: string;
  to: string;
  days: DayUsage[];
}

/** What one sandbox is charged per minute while its row stays as it is. */
export interface Rates {
  cpu: number;
  memory: number;
  disk: number;
  running: boolean | number;
  has_disk: boolean | number;
}

export interface DayPiece {
  day: string;
  cpu_minutes: number;
  memory_gib_minutes: number;
  disk_gib_minutes: number;
}

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** [from, to) cut at each midnight UTC, with what the rates charge in each piece. */
export function piecesByDay(from: number, to: number, r: Rates): DayPiece[] {
  const out: DayPiece[] = [];
  for (let t = from; t < to;) {
    const end = Math.min(to, (Math.floor(t / DAY_MS) + 1) * DAY_MS);
    const minutes = (end - t) / 60_000;
    out.push({
      day: dayOf(t),
      cpu_minutes: r.running ? Number(r.cpu) * minutes : 0,
      memory_gib_minutes: r.running ? Number(r.memory) * minutes : 0,
      disk_gib_minutes: r.has_disk ? Number(r.disk) * minutes : 0,
    });
    t = end;
  }
  return out;
}

/** A sandbox whose usage since `sampled_at` is not booked yet. */
export interface ActiveRow extends Rates {
  sandbox_id: string;
  sampled_at: number | string;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The report of `days` days up to `now`'s day: booked days plus the active sandboxes' unbooked time. */
export async function dailyReport(
  booked: UsageDailyRepo,
  organizationId: string,
  days: number,
  now: number,
  active: ActiveRow[],
): Promise<DailyUsageReport> {
  const fromMs = (Math.floor(now / DAY_MS) - (days - 1)) * DAY_MS;
  const from = dayOf(fromMs);
  const to = dayOf(now);
  const out = new Map<string, DayUsage>();
  for (let t = fromMs; t <= now; t += DAY_MS) {
    const date = dayOf(t);
    out.set(date, { date, cpuMinutes: 0, memoryGiBMinutes: 0, diskGiBMinutes: 0, sandboxes: 0, runningSandboxes: 0 });
  }

  for (const s of await booked.sumsByDay(organizationId, from)) {
    const d = out.get(s.day);
    if (!d) continue;
    d.cpuMinutes = s.cpu;
    d.memoryGiBMinutes = s.memory;
    d.diskGiBMinutes = s.disk;
    d.sandboxes = s.sandboxes;
    d.runningSandboxes = s.running;
  }

  // Which (sandbox, day) pairs the booked rows already count, so an active sandbox counts once a day.
  const counted = new Map<string, boolean>();
  const rows = await booked.bookedDays(
    active.map((a) => a.sandbox_id),
    from,
  );
  for (const r of rows) counted.set(`${r.sandbox_id} ${r.day}`, r.cpu_minutes > 0);
  for (const a of active) {
    const start = Math.max(Number(a.sampled_at), fromMs);
    const pieces = piecesByDay(start, now, a);
    // It has a container now, so it counts today even before a minute has passed.
    if (!pieces.some((p) => p.day === to)) {
      pieces.push({ day: to, cpu_minutes: 0, memory_gib_minutes: 0, disk_gib_minutes: 0 });
    }
    for (const p of pieces) {
      const d = out.get(p.day);
      if (!d) continue;
      d.cpuMinutes += p.cpu_minutes;
      d.memoryGiBMinutes += p.memory_gib_minutes;
      d.diskGiBMinutes += p.disk_gib_minutes;
      const key = `${a.sandbox_id} ${p.day}`;
      const ran = counted.get(key);
      if (ran === undefined) d.sandboxes++;
      if (a.running && !ran) d.runningSandboxes++;
    }
  }
  const list = [...out.values()].map((d) => ({
    ...d,
    cpuMinutes: round(d.cpuMinutes),
    memoryGiBMinutes: round(d.memoryGiBMinutes),
    diskGiBMinutes: round(d.diskGiBMinutes),
  }));
  return { organizationId, from, to, days: list };
}

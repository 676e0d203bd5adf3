// Usage per UTC day. Bookings (usage/service.ts) add their minutes to the
// days they fall on (usage_daily); a report adds, like the per-sandbox one,
// the interval since each active sandbox's last booking at its current rates,
// without writing. Days are cut at midnight UTC.
import type { Knex } from 'knex';

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

/** Adds one sandbox's pieces to their days (one upsert per day: a booking spans a day or two). */
export async function addToDays(knex: Knex, organizationId: string, sandboxId: string, pieces: DayPiece[]) {
  const add = (col: keyof Omit<DayPiece, 'day'>) => knex.raw('?? + ??', [`usage_daily.${col}`, `excluded.${col}`]);
  for (const p of pieces) {
    if (!p.cpu_minutes && !p.memory_gib_minutes && !p.disk_gib_minutes) continue;
    await knex('usage_daily')
      .insert({ sandbox_id: sandboxId, organization_id: organizationId, ...p })
      .onConflict(['sandbox_id', 'day'])
      .merge({
        cpu_minutes: add('cpu_minutes'),
        memory_gib_minutes: add('memory_gib_minutes'),
        disk_gib_minutes: add('disk_gib_minutes'),
      });
  }
}

/** A sandbox whose usage since `sampled_at` is not booked yet. */
export interface ActiveRow extends Rates {
  sandbox_id: string;
  sampled_at: number | string;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

interface DaySum {
  day: string;
  cpu: number | string;
  memory: number | string;
  disk: number | string;
  sandboxes: number | string;
  running: number | string;
}

/** The report of `days` days up to `now`'s day: booked days plus the active sandboxes' unbooked time. */
export async function dailyReport(
  knex: Knex,
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

  const sums = (await knex('usage_daily')
    .where('organization_id', organizationId)
    .andWhere('day', '>=', from)
    .groupBy('day')
    .select('day')
    .sum({ cpu: 'cpu_minutes', memory: 'memory_gib_minutes', disk: 'disk_gib_minutes' })
    .count({ sandboxes: '*' })
    .select(knex.raw('sum(case when cpu_minutes > 0 then 1 else 0 end) as running'))) as DaySum[];
  for (const s of sums) {
    const d = out.get(s.day);
    if (!d) continue;
    d.cpuMinutes = Number(s.cpu);
    d.memoryGiBMinutes = Number(s.memory);
    d.diskGiBMinutes = Number(s.disk);
    d.sandboxes = Number(s.sandboxes);
    d.runningSandboxes = Number(s.running);
  }

  // Which (sandbox, day) pairs the booked rows already count, so an active sandbox counts once a day.
  const counted = new Map<string, boolean>();
  const ids = active.map((a) => a.sandbox_id);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await knex('usage_daily')
      .whereIn('sandbox_id', ids.slice(i, i + 500))
      .andWhere('day', '>=', from)
      .select('sandbox_id', 'day', 'cpu_minutes')) as { sandbox_id: string; day: string; cpu_minutes: number }[];
    for (const r of rows) counted.set(`${r.sandbox_id} ${r.day}`, Number(r.cpu_minutes) > 0);
  }
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

// Store access for usage per sandbox and UTC day (usage_daily).
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import type { DayPiece } from './daily.js';

/** One day's booked usage of an organization, summed over its sandboxes. */
export interface DaySum {
  day: string;
  cpu: number;
  memory: number;
  disk: number;
  sandboxes: number;
  running: number;
}

/** Which day a sandbox has a booked row for, and whether it ran then. */
export interface BookedDay {
  sandbox_id: string;
  day: string;
  cpu_minutes: number;
}

type Stored<T> = { [K in keyof T]: T[K] | string };

export class UsageDailyRepo {
  constructor(private readonly store: Store) {}

  /** Adds one sandbox's pieces to their days (one upsert per day: a booking spans a day or two). */
  async add(organizationId: string, sandboxId: string, pieces: DayPiece[], trx?: Knex.Transaction): Promise<void> {
    const knex = trx ?? this.store.knex;
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

  /** The organization's booked usage per day from `fromDay` (YYYY-MM-DD) on. */
  async sumsByDay(organizationId: string, fromDay: string): Promise<DaySum[]> {
    const knex = this.store.knex;
    const rows = (await knex('usage_daily')
      .where('organization_id', organizationId)
      .andWhere('day', '>=', fromDay)
      .groupBy('day')
      .select('day')
      .sum({ cpu: 'cpu_minutes', memory: 'memory_gib_minutes', disk: 'disk_gib_minutes' })
      .count({ sandboxes: '*' })
      .select(knex.raw('sum(case when cpu_minutes > 0 then 1 else 0 end) as running'))) as Stored<DaySum>[];
    return rows.map((s) => ({
      day: String(s.day),
      cpu: Number(s.cpu),
      memory: Number(s.memory),
      disk: Number(s.disk),
      sandboxes: Number(s.sandboxes),
      running: Number(s.running),
    }));
  }

  /** The booked days of these sandboxes from `fromDay` on. */
  async bookedDays(sandboxIds: string[], fromDay: string): Promise<BookedDay[]> {
    const out: BookedDay[] = [];
    for (let i = 0; i < sandboxIds.length; i += 500) {
      const rows = (await this.store
        .knex('usage_daily')
        .whereIn('sandbox_id', sandboxIds.slice(i, i + 500))
        .andWhere('day', '>=', fromDay)
        .select('sandbox_id', 'day', 'cpu_minutes')) as Stored<BookedDay>[];
      for (const r of rows)
        out.push({ sandbox_id: String(r.sandbox_id), day: String(r.day), cpu_minutes: Number(r.cpu_minutes) });
    }
    return out;
  }
}

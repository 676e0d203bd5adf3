// Usage per sandbox, recorded from what the runner did: CPU-minutes and
// memory GiB-minutes accrue while a sandbox runs (its limits × time), disk
// GiB-minutes while it has a container (running or stopped; an archived
// sandbox's files live in the archive store and are not charged). Each
// transition first books the time since the last one at the old rates, so
// the numbers are exact to the transition, and a report adds the running
// interval up to now without writing.
import type { Clock } from '../../common/clock.js';
import type { ResourceLimits, SandboxRuntimeSpec } from '../../common/wire/runner.js';
import type { Store } from '../store/db.js';
import { SandboxRepo } from '../sandboxes/repo.js';
import type { Principal } from '../principal.js';
import type { QuotaService, Quotas, Usage } from '../quotas/service.js';
import type { RunnerHooks, StopKind } from './runner-hooks.js';
import { dailyReport, piecesByDay, type DailyUsageReport } from './daily.js';
import { UsageDailyRepo } from './daily-repo.js';
import { UsageRepo, type UsageRow as Row } from './repo.js';

export interface SandboxUsage {
  sandboxId: string;
  name: string;
  running: boolean;
  /** Deleted sandboxes keep their usage; this is when it ended. */
  endedAt: Date | null;
  cpu: number;
  memoryGiB: number;
  diskGiB: number;
  cpuMinutes: number;
  memoryGiBMinutes: number;
  diskGiBMinutes: number;
}

export interface UsageReport {
  organizationId: string;
  quotas: Quotas;
  used: Usage;
  sandboxes: SandboxUsage[];
  totals: { cpuMinutes: number; memoryGiBMinutes: number; diskGiBMinutes: number };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export class UsageService implements RunnerHooks {
  private readonly usage: UsageRepo;
  private readonly days: UsageDailyRepo;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly quotas: QuotaService,
  ) {
    this.usage = new UsageRepo(store);
    this.days = new UsageDailyRepo(store);
  }

  /**
   * Books the time since the last sample at the row's current rates, then applies `next` (new rates):
   * the totals and the days the time fell on, in one transaction.
   */
  private async book(r: Row, now: number, next: Partial<Row>): Promise<void> {
    await this.store.transaction(async (trx) => {
      await this.usage.update(r.sandbox_id, { ...this.accrued(r, now), ...next }, trx);
      await this.days.add(r.organization_id, r.sandbox_id, piecesByDay(r.sampled_at, now, r), trx);
    });
  }

  /** The row's totals with the time since the last sample at its current rates. */
  private accrued(r: Row, now: number): Partial<Row> {
    const minutes = Math.max(0, now - r.sampled_at) / 60_000;
    return {
      cpu_minutes: r.cpu_minutes + (r.running ? r.cpu * minutes : 0),
      memory_gib_minutes: r.memory_gib_minutes + (r.running ? r.memory * minutes : 0),
      disk_gib_minutes: r.disk_gib_minutes + (r.has_disk ? r.disk * minutes : 0),
      sampled_at: now,
    };
  }

  async started(spec: SandboxRuntimeSpec, retry = true): Promise<void> {
    const now = this.clock.now().getTime();
    const r = await this.usage.get(spec.sandboxId);
    const rates = {
      cpu: spec.cpu,
      memory: spec.memoryGiB,
      disk: spec.diskGiB,
      running: true,
      has_disk: true,
      ended_at: null,
    };
    if (r) return this.book(r, now, rates);
    const name = await new SandboxRepo(this.store).nameOf(spec.sandboxId);
    await this.usage
      .insert({
        sandbox_id: spec.sandboxId,
        organization_id: spec.organizationId,
        sandbox_name: name ?? spec.sandboxId,
        ...rates,
        cpu_minutes: 0,
        memory_gib_minutes: 0,
        disk_gib_minutes: 0,
        sampled_at: now,
        created_at: now,
      })
      .catch(async (e: unknown) => {
        if (!retry) throw e;
        await this.started(spec, false); // raced another writer: book onto its row
      });
  }

  async stopped(sandboxId: string, kind: StopKind): Promise<void> {
    const now = this.clock.now().getTime();
    const r = await this.usage.get(sandboxId);
    if (!r) return;
    await this.book(r, now, {
      running: false,
      has_disk: kind === 'stopped',
      ...(kind === 'destroyed' ? { ended_at: now } : {}),
    });
  }

  async resized(sandboxId: string, limits: ResourceLimits): Promise<void> {
    const now = this.clock.now().getTime();
    const r = await this.usage.get(sandboxId);
    if (!r) return;
    await this.book(r, now, { cpu: limits.cpu, memory: limits.memoryGiB });
  }

  /** The principal's organization: quotas, what is used now, and usage per sandbox (created since `since`). */
  async report(p: Principal, opts: { since?: Date } = {}): Promise<UsageReport> {
    const now = this.clock.now().getTime();
    const rows = await this.usage.list(p.organizationId, opts.since?.getTime());
    const sandboxes = rows.map((r): SandboxUsage => {
      const a = this.accrued(r, now);
      return {
        sandboxId: r.sandbox_id,
        name: r.sandbox_name,
        running: r.running,
        endedAt: r.ended_at ? new Date(r.ended_at) : null,
        cpu: r.cpu,
        memoryGiB: r.memory,
        diskGiB: r.disk,
        cpuMinutes: round(a.cpu_minutes!),
        memoryGiBMinutes: round(a.memory_gib_minutes!),
        diskGiBMinutes: round(a.disk_gib_minutes!),
      };
    });
    const sum = (k: 'cpuMinutes' | 'memoryGiBMinutes' | 'diskGiBMinutes') =>
      round(sandboxes.reduce((n, s) => n + s[k], 0));
    const [{ quotas }, used] = await Promise.all([
      this.quotas.get(p.organizationId),
      this.quotas.used(p.organizationId),
    ]);
    return {
      organizationId: p.organizationId,
      quotas,
      used,
      sandboxes,
      totals: {
        cpuMinutes: sum('cpuMinutes'),
        memoryGiBMinutes: sum('memoryGiBMinutes'),
        diskGiBMinutes: sum('diskGiBMinutes'),
      },
    };
  }

  /** The principal's organization's usage per UTC day, for the last `days` days (today included). */
  async daily(p: Principal, days: number): Promise<DailyUsageReport> {
    const now = this.clock.now().getTime();
    const active = (await this.usage.current(p.organizationId)).filter((r) => r.running || r.has_disk);
    return dailyReport(this.days, p.organizationId, days, now, active);
  }
}

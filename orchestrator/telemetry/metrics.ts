// Metric history per sandbox: the runner's counters of every started sandbox
// are sampled on a timer (cpu from the difference between two samples), kept
// for the retention window and served as Daytona's metric series (compat spec
// §3.8) plus network bytes. Logs are the sandbox's PID 1 output.
import { AppError } from '../../common/errors.js';
import type { Clock, Timer } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { RunnerClient, SandboxStats } from '../../common/wire/runner.js';
import type { Principal } from '../principal.js';
import type { Sandbox } from '../sandboxes/model.js';
import type { Store } from '../store/db.js';
import { MetricRepo, type MetricRow } from './metrics-repo.js';

const GiB = 1024 ** 3;
/** Disk use is measured (du of the writable layer) at most this often per sandbox. */
const DISK_EVERY_MS = 30_000;

/** Daytona's metric names (the SDK reads these), and Berth's network counters. */
export const METRICS: Record<string, (r: MetricRow) => number | null> = {
  'daytona.sandbox.cpu.utilization': (r) => r.cpu_pct,
  'daytona.sandbox.cpu.limit': (r) => r.cpu_limit,
  'daytona.sandbox.memory.usage': (r) => r.memory,
  'daytona.sandbox.memory.limit': (r) => r.memory_limit,
  'daytona.sandbox.memory.cache': (r) => r.memory_cache,
  'daytona.sandbox.filesystem.usage': (r) => r.disk,
  'daytona.sandbox.filesystem.total': (r) => r.disk_total,
  'berth.sandbox.network.rx_bytes': (r) => r.net_rx,
  'berth.sandbox.network.tx_bytes': (r) => r.net_tx,
};

export interface MetricsDeps {
  store: Store;
  runner: RunnerClient;
  clock: Clock;
  log: Logger;
  sandboxes: { get(p: Principal, idOrName: string): Promise<Sandbox>; started(): Promise<Sandbox[]> };
  intervalSeconds: number;
  retentionHours: number;
}

export class MetricsService {
  private readonly last = new Map<string, SandboxStats>();
  private readonly disk = new Map<string, { at: number; bytes: number | null }>();
  private timer: Timer | null = null;
  private sampling: Promise<void> | null = null;
  private readonly metrics: MetricRepo;

  constructor(private readonly d: MetricsDeps) {
    this.metrics = new MetricRepo(d.store);
  }

  start(): void {
    if (this.timer || this.d.intervalSeconds <= 0) return;
    const every = this.d.intervalSeconds * 1000;
    this.timer = this.d.clock
      .setInterval(
        () =>
          void this.sample().catch((e) => this.d.log.warn('metric sampling failed', { error: (e as Error).message })),
        every,
      )
      .unref();
  }

  /** One sample of every started sandbox of this runner; old samples are dropped. */
  sample(): Promise<void> {
    this.sampling ??= this.sampleOnce().finally(() => (this.sampling = null));
    return this.sampling;
  }

  private async sampleOnce(): Promise<void> {
    const now = this.d.clock.now().getTime();
    const rows: MetricRow[] = [];
    const seen = new Set<string>();
    for (const s of await this.d.sandboxes.started()) {
      seen.add(s.id);
      const st = await this.d.runner.stats(s.id).catch(() => null);
      if (!st) continue;
      const prev = this.last.get(s.id);
      this.last.set(s.id, st);
      const dCpu = prev ? st.cpuNanos - prev.cpuNanos : 0;
      const dSys = prev ? st.systemNanos - prev.systemNanos : 0;
      // Percent of the sandbox's own cpu limit, as Daytona reports utilization.
      const hostPct = dSys > 0 ? (dCpu / dSys) * st.onlineCpus * 100 : 0;
      const cpuPct = Math.max(0, Math.min(100, hostPct / Math.max(s.cpu, 0.01)));
      let disk = this.disk.get(s.id);
      if (!disk || now - disk.at >= DISK_EVERY_MS) {
        disk = { at: now, bytes: await this.d.runner.diskUsage(s.id).catch(() => null) };
        this.disk.set(s.id, disk);
      }
      rows.push({
        sandbox_id: s.id,
        organization_id: s.organizationId,
        at: now,
        cpu_pct: Math.round(cpuPct * 100) / 100,
        cpu_limit: s.cpu,
        memory: st.memoryBytes,
        memory_cache: st.cacheBytes,
        memory_limit: Math.min(st.memoryLimitBytes || Infinity, Math.round(s.memory * GiB)),
        disk: disk.bytes,
        disk_total: Math.round(s.disk * GiB),
        net_rx: st.rxBytes,
        net_tx: st.txBytes,
      });
    }
    for (const id of this.last.keys()) {
      if (seen.has(id)) continue;
      this.last.delete(id);
      this.disk.delete(id);
    }
    if (rows.length)
      await this.metrics
        .insert(rows)
        .catch((e: Error) => this.d.log.debug('metric samples not stored', { error: e.message }));
    await this.metrics.removeOlderThan(now - this.d.retentionHours * 3_600_000);
  }

  /** `GET /sandbox/{id}/telemetry/metrics`: one series per metric name, points in time order. */
  async series(
    p: Principal,
    idOrName: string,
    from: Date,
    to: Date,
    names: string[],
  ): Promise<{ metricName: string; dataPoints: { timestamp: string; value: number }[] }[]> {
    const s = await this.d.sandboxes.get(p, idOrName);
    if (to.getTime() < from.getTime())
      throw new AppError('invalid_argument', '`to` is before `from`', {
        hint: 'pass an ISO-8601 range with from ≤ to',
      });
    const unknown = names.filter((n) => !METRICS[n]);
    if (unknown.length)
      throw new AppError('invalid_argument', `unknown metric ${unknown.join(', ')}`, {
        hint: `known metrics: ${Object.keys(METRICS).join(', ')}`,
      });
    const rows = await this.metrics.range(s.id, from.getTime(), to.getTime());
    return (names.length ? names : Object.keys(METRICS)).map((metricName) => ({
      metricName,
      dataPoints: rows.flatMap((r) => {
        const value = METRICS[metricName]!(r);
        return value === null ? [] : [{ timestamp: new Date(r.at).toISOString(), value }];
      }),
    }));
  }

  /** `GET /sandbox/{id}/telemetry/logs`: what the sandbox's main process printed, as Daytona log entries. */
  async logs(
    p: Principal,
    idOrName: string,
    q: { from: Date; to: Date; page: number; limit: number; search?: string; severities?: string[] },
  ) {
    const s = await this.d.sandboxes.get(p, idOrName);
    let lines = await this.d.runner.logs(s.id, { since: q.from.getTime(), until: q.to.getTime() });
    lines = lines.filter((l) => l.at >= q.from.getTime() && l.at <= q.to.getTime());
    if (q.search) lines = lines.filter((l) => l.text.includes(q.search!));
    const severity = (l: { stream: string }) => (l.stream === 'stderr' ? 'ERROR' : 'INFO');
    if (q.severities?.length) lines = lines.filter((l) => q.severities!.includes(severity(l)));
    const total = lines.length;
    const items = lines.slice((q.page - 1) * q.limit, q.page * q.limit).map((l) => ({
      timestamp: new Date(l.at).toISOString(),
      body: l.text,
      severityText: severity(l),
      severityNumber: l.stream === 'stderr' ? 17 : 9,
      serviceName: 'sandbox',
      resourceAttributes: { 'sandbox.id': s.id },
      logAttributes: { stream: l.stream },
    }));
    return { items, total, page: q.page, totalPages: Math.ceil(total / q.limit) };
  }

  /** Forgets a deleted sandbox's samples. */
  async forget(sandboxId: string): Promise<void> {
    await this.metrics.removeSandbox(sandboxId);
  }

  close(): void {
    this.timer?.clear();
    this.timer = null;
  }
}

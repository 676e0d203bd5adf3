// A runner's metrics, read at scrape time: what its Docker host offers
// (capacity), its network-namespace pool, and how many sandbox daemons are
// linked to it right now.
import type { Gauge } from 'prom-client';
import type { Metrics } from '../common/metrics.js';
import type { EngineInfo } from '../common/wire/runner.js';

export interface RunnerGauges {
  readonly id: string;
  engineInfo(): EngineInfo | undefined;
  readyNetns(): number;
  daemonLinksUp(): number;
}

export function registerRunnerMetrics(m: Metrics, r: RunnerGauges, poolSize: number): void {
  const runner = r.id;
  m.gauge('berth_runner_capacity_cpu_cores', 'Cores of the runner\u2019s Docker host', ['runner'], (g) => {
    const e = r.engineInfo();
    if (e) g.set({ runner }, e.cpus);
  });
  m.gauge('berth_runner_capacity_memory_bytes', 'Memory of the runner\u2019s Docker host', ['runner'], (g) => {
    const e = r.engineInfo();
    if (e) g.set({ runner }, e.memoryBytes);
  });
  const labels = ['runner'] as const;
  const value = (f: () => number) => (g: Gauge<'runner'>) => g.set({ runner }, f());
  m.gauge(
    'berth_netns_pool_ready',
    'Network namespaces ready for new sandboxes',
    labels,
    value(() => r.readyNetns()),
  );
  m.gauge(
    'berth_netns_pool_target',
    'Network namespaces the pool keeps ready',
    labels,
    value(() => poolSize),
  );
  m.gauge(
    'berth_daemon_links_up',
    'Sandbox daemons connected to the runner',
    labels,
    value(() => r.daemonLinksUp()),
  );
}

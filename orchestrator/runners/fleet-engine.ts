// What an API-only replica (BERTH_LOCAL_RUNNER=false) takes for "the engine"
// where the embedded runner's facts used to answer: per-sandbox limits
// (BERTH_MAX_CPU/BERTH_MAX_MEMORY_GIB of 0 mean the host's size) and whether
// gVisor exists. It is the largest runner of the installation that is ready,
// read from the registry at start, when a runner links and on every sweep, so
// those synchronous checks stay synchronous; the last view is kept while no
// runner is ready. Placement still checks each runner on its own (placer.ts).
import type { EngineInfo } from '../../common/wire/runner.js';
import type { RunnerInfo } from './model.js';
import { gvisorOfCapacity } from './placement.js';

const GiB = 1024 ** 3;

export class FleetEngine {
  private view: EngineInfo | undefined;

  constructor(private readonly d: { ready(): Promise<RunnerInfo[]> }) {}

  current(): EngineInfo | undefined {
    return this.view;
  }

  async refresh(): Promise<void> {
    const caps = (await this.d.ready()).flatMap((r) => (r.capacity ? [r.capacity] : []));
    if (!caps.length) return;
    const runtimes = [...new Set(caps.flatMap((c) => c.runtimes))];
    const largest = caps.reduce((a, b) => (b.cpus > a.cpus ? b : a));
    this.view = {
      engine: 'remote runners',
      version: largest.engineVersion,
      runtimes,
      storageDriver: largest.storageDriver,
      backingFilesystem: '',
      cgroupVersion: '',
      cpus: Math.max(...caps.map((c) => c.cpus)),
      memoryBytes: Math.max(...caps.map((c) => c.memoryGiB)) * GiB,
      diskLimit: 'watched',
      egress: 'enforced',
      // The best gVisor any runner offers (with networking before without).
      gvisor:
        (['available', 'no-network'] as const).find((m) => caps.some((c) => gvisorOfCapacity(c) === m)) ??
        'unavailable',
    };
  }
}

// Gathers the runners a new sandbox could go to (the embedded runner and the
// remote ones that are ready and linked to this replica), with what is placed
// on each, and asks placement.ts to choose. Also answers which gVisor the
// runners offer, for checks made before placement (create, network changes).
import type { EngineInfo, GvisorMode } from '../../common/wire/runner.js';
import type { RunnerInfo } from './model.js';
import {
  choose,
  gvisorOfCapacity,
  NO_LOAD,
  type Candidate,
  type Overcommit,
  type PlacementNeed,
  type RunnerLoad,
} from './placement.js';

export interface PlacerDeps {
  local: { id: string; engine(): EngineInfo | undefined; labels: Record<string, string> };
  /** Remote runners an administrator left `ready` that were heard from within the timeout. */
  ready(): Promise<RunnerInfo[]>;
  /** Every registered remote runner, whatever its state. */
  registered(): Promise<RunnerInfo[]>;
  linked(): string[];
  load(): Promise<Map<string, RunnerLoad>>;
  overcommit: Overcommit;
  random?: () => number;
}

const GiB = 1024 ** 3;

export class Placer {
  constructor(private readonly d: PlacerDeps) {}

  /** The id of the runner the sandbox goes to; `no_capacity` when none can take it. */
  async place(need: PlacementNeed): Promise<string> {
    const linked = new Set(this.d.linked());
    // With no remote runner linked here, only the embedded runner is left: the registry is not read.
    const [remote, load] = linked.size ? await Promise.all([this.d.ready(), this.d.load()]) : [[], await this.d.load()];
    const candidates: Candidate[] = [];
    const engine = this.d.local.engine();
    if (engine)
      candidates.push({
        id: this.d.local.id,
        name: 'embedded runner',
        local: true,
        labels: this.d.local.labels,
        cpus: engine.cpus,
        memoryGiB: engine.memoryBytes / GiB,
        diskGiB: null,
        gvisor: engine.gvisor ?? 'unavailable',
        load: load.get(this.d.local.id) ?? NO_LOAD,
      });
    for (const r of remote) {
      if (!linked.has(r.id) || !r.capacity) continue;
      candidates.push({
        id: r.id,
        name: r.name,
        local: false,
        labels: r.labels,
        cpus: r.capacity.cpus,
        memoryGiB: r.capacity.memoryGiB,
        diskGiB: r.capacity.diskGiB,
        gvisor: gvisorOfCapacity(r.capacity),
        load: load.get(r.id) ?? NO_LOAD,
      });
    }
    return choose(need, candidates, this.d.overcommit, this.d.random).id;
  }

  /**
   * The gVisor of every runner that may take sandboxes some day: the embedded one and the
   * remote ones not disabled (reachable now or not) that have reported what they offer.
   */
  async gvisorModes(): Promise<GvisorMode[]> {
    const modes: GvisorMode[] = [];
    const engine = this.d.local.engine();
    if (engine) modes.push(engine.gvisor ?? 'unavailable');
    for (const r of await this.d.registered())
      if (r.state !== 'disabled' && r.capacity) modes.push(gvisorOfCapacity(r.capacity));
    return modes;
  }

  /** The gVisor of one runner (`unavailable` for one unknown or that never reported). */
  async gvisorOf(runnerId: string): Promise<GvisorMode> {
    if (runnerId === this.d.local.id) return this.d.local.engine()?.gvisor ?? 'unavailable';
    const r = (await this.d.registered()).find((x) => x.id === runnerId);
    return r?.capacity ? gvisorOfCapacity(r.capacity) : 'unavailable';
  }
}

// Changing a sandbox's resources and network policy while it exists: the new
// values are recorded first (every later start uses them), then applied to
// the container in place when there is one.
import { AppError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { RunnerClient } from '../../common/wire/runner.js';
import type { Principal } from '../principal.js';
import type { SandboxRow } from '../store/models.js';
import { CreateSandboxInput } from './create-input.js';
import type { Sandbox } from './model.js';
import type { SandboxRepo } from './repo.js';
import type { SandboxService } from './service.js';
import { actionAllowed } from './states.js';

export interface SandboxSettingsDeps {
  repo: SandboxRepo;
  sandboxes: SandboxService;
  runner: RunnerClient;
  clock: Clock;
}

export interface ResizeInput {
  cpu?: number;
  memory?: number;
  disk?: number;
  gpu?: number;
}

export interface NetworkInput {
  networkBlockAll?: boolean;
  networkAllowList?: string;
  domainAllowList?: string;
}

/** States in which a container is being created, moved or removed: wait for them to settle. */
const BUSY = ['creating', 'starting', 'stopping', 'archiving', 'restoring', 'destroying', 'resizing', 'pending_build', 'building_snapshot', 'pulling_snapshot'];

export class SandboxSettings {
  constructor(private readonly d: SandboxSettingsDeps) {}

  private async changeable(p: Principal, idOrName: string): Promise<Sandbox> {
    const s = await this.d.sandboxes.get(p, idOrName);
    if (!actionAllowed('update', s.state) || s.desiredState === 'destroyed') {
      throw new AppError('failed_precondition', `sandbox ${s.name} is being deleted`, { hint: 'create a new sandbox' });
    }
    if (BUSY.includes(s.state)) throw new AppError('failed_precondition', `sandbox ${s.name} is ${s.state}`, { hint: 'wait until it is started or stopped, then retry', recoverable: true });
    return s;
  }

  /**
   * cpu and memory change live (the engine updates the running container);
   * disk may only grow and is recorded: the watched disk limit uses it at once,
   * the per-file size limit from the next time the container is created.
   */
  async resize(p: Principal, idOrName: string, r: ResizeInput): Promise<Sandbox> {
    if (r.gpu !== undefined && r.gpu !== 0) throw new AppError('invalid_argument', 'GPUs cannot be added by resizing', { hint: 'GPUs are not available on this server' });
    for (const [k, v] of Object.entries({ cpu: r.cpu, memory: r.memory, disk: r.disk })) {
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw new AppError('invalid_argument', `${k} must be a positive number`);
    }
    if (r.cpu === undefined && r.memory === undefined && r.disk === undefined) throw new AppError('invalid_argument', 'nothing to resize', { hint: 'send at least one of cpu, memory (GiB), disk (GiB)' });
    const s = await this.changeable(p, idOrName);
    const lim = this.d.sandboxes.limits();
    const cpu = r.cpu ?? s.cpu;
    const memory = r.memory ?? s.memory;
    const disk = r.disk ?? s.disk;
    const over: string[] = [];
    if (cpu > lim.maxCpu) over.push(`cpu ${cpu} > ${lim.maxCpu}`);
    if (memory > lim.maxMemoryGiB) over.push(`memory ${memory} GiB > ${lim.maxMemoryGiB} GiB`);
    if (disk > lim.maxDiskGiB) over.push(`disk ${disk} GiB > ${lim.maxDiskGiB} GiB`);
    if (memory < 0.125) over.push('memory below 0.125 GiB');
    if (over.length) throw new AppError('invalid_argument', `resources over this server's per-sandbox limits: ${over.join(', ')}`, { details: { limits: lim } });
    if (disk < s.disk) throw new AppError('invalid_argument', `disk can only grow (it is ${s.disk} GiB)`, { hint: 'create a new sandbox for a smaller disk' });
    const now = this.d.clock.now().getTime();
    await this.d.repo.patch(s.id, { cpu, memory, disk, updated_at: now });
    if (cpu !== s.cpu || memory !== s.memory) {
      try {
        await this.d.runner.resize(s.id, { cpu, memoryGiB: memory });
      } catch (e) {
        await this.d.repo.patch(s.id, { cpu: s.cpu, memory: s.memory, disk: s.disk, updated_at: now });
        throw e;
      }
    }
    return this.d.sandboxes.get(p, s.id);
  }

  /** Records and applies the network policy: blocking detaches the container from the network live. */
  async updateNetwork(p: Principal, idOrName: string, n: NetworkInput): Promise<Sandbox> {
    if (n.domainAllowList?.trim()) {
      throw new AppError('not_implemented', 'domain allow-lists are not supported yet', { hint: 'allow IPv4 ranges with networkAllowList (comma-separated CIDRs), or block everything with networkBlockAll' });
    }
    let allowList: string[] | undefined;
    if (n.networkAllowList !== undefined) {
      const parsed = CreateSandboxInput.shape.networkAllowList.safeParse(n.networkAllowList);
      if (!parsed.success) throw new AppError('invalid_argument', parsed.error.issues.map((i) => i.message).join('; '), { hint: 'e.g. 1.2.3.0/24,8.8.8.8/32' });
      allowList = parsed.data ?? [];
    }
    const s = await this.changeable(p, idOrName);
    const blockAll = n.networkBlockAll ?? s.networkBlockAll;
    const list = allowList ?? (s.networkAllowList ? s.networkAllowList.split(',') : []);
    const fields: Partial<SandboxRow> = { network_block_all: blockAll, network_allow_list: list.length ? list.join(',') : null, updated_at: this.d.clock.now().getTime() };
    await this.d.repo.patch(s.id, fields);
    try {
      await this.d.runner.applyNetworkPolicy(s.id, { blockAll, allowList: list });
    } catch (e) {
      await this.d.repo.patch(s.id, { network_block_all: s.networkBlockAll, network_allow_list: s.networkAllowList });
      throw e;
    }
    return this.d.sandboxes.get(p, s.id);
  }
}

// Changing a sandbox's resources and network policy while it exists: the new
// values are recorded first (every later start uses them), then applied to
// the container in place when there is one.
import { AppError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { GvisorMode, RunnerClient } from '../../common/wire/runner.js';
import type { Principal } from '../principal.js';
import type { SandboxRow } from './row.js';
import { requirePermission } from '../keys/require.js';
import type { QuotaService } from '../quotas/service.js';
import { CreateSandboxInput, domainAllowListSchema } from './create-input.js';
import type { Sandbox } from './model.js';
import type { SandboxRepo } from './repo.js';
import type { SandboxService } from './service.js';
import { actionAllowed } from './states.js';

export interface SandboxSettingsDeps {
  repo: SandboxRepo;
  sandboxes: SandboxService;
  runner: RunnerClient;
  clock: Clock;
  /** Running-resource quotas for resizes. */
  quotas?: Pick<QuotaService, 'guard' | 'checkSandboxes'>;
  /** Which gVisor a runner offers; without it, the runner's own engine is asked. */
  gvisorOf?: (runnerId: string) => Promise<GvisorMode>;
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
const BUSY = [
  'creating',
  'starting',
  'stopping',
  'archiving',
  'restoring',
  'destroying',
  'resizing',
  'pending_build',
  'building_snapshot',
  'pulling_snapshot',
];

export class SandboxSettings {
  constructor(private readonly d: SandboxSettingsDeps) {}

  private async changeable(p: Principal, idOrName: string): Promise<Sandbox> {
    requirePermission(p, 'write:sandboxes');
    const s = await this.d.sandboxes.get(p, idOrName);
    if (!actionAllowed('update', s.state) || s.desiredState === 'destroyed') {
      throw new AppError('failed_precondition', `sandbox ${s.name} is being deleted`, { hint: 'create a new sandbox' });
    }
    if (BUSY.includes(s.state))
      throw new AppError('failed_precondition', `sandbox ${s.name} is ${s.state}`, {
        hint: 'wait until it is started or stopped, then retry',
        recoverable: true,
      });
    return s;
  }

  /**
   * cpu and memory change live (the engine updates the running container);
   * disk may only grow and is recorded: the watched disk limit uses it at once,
   * the per-file size limit from the next time the container is created.
   */
  async resize(p: Principal, idOrName: string, r: ResizeInput): Promise<Sandbox> {
    if (r.gpu !== undefined && r.gpu !== 0)
      throw new AppError('invalid_argument', 'GPUs cannot be added by resizing', {
        hint: 'GPUs are not available on this server',
      });
    for (const [k, v] of Object.entries({ cpu: r.cpu, memory: r.memory, disk: r.disk })) {
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0))
        throw new AppError('invalid_argument', `${k} must be a positive number`);
    }
    if (r.cpu === undefined && r.memory === undefined && r.disk === undefined)
      throw new AppError('invalid_argument', 'nothing to resize', {
        hint: 'send at least one of cpu, memory (GiB), disk (GiB)',
      });
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
    if (over.length)
      throw new AppError('invalid_argument', `resources over this server's per-sandbox limits: ${over.join(', ')}`, {
        details: { limits: lim },
      });
    if (disk < s.disk)
      throw new AppError('invalid_argument', `disk can only grow (it is ${s.disk} GiB)`, {
        hint: 'create a new sandbox for a smaller disk',
      });
    const now = this.d.clock.now().getTime();
    const record = () => this.d.repo.patch(s.id, { cpu, memory, disk, updated_at: now });
    const q = this.d.quotas;
    if (q && s.desiredState === 'started') {
      // Only the growth counts against the running quotas.
      await q.guard(s.organizationId, async () => {
        await q.checkSandboxes(s.organizationId, {
          count: 0,
          cpu: Math.max(0, cpu - s.cpu),
          memoryGiB: Math.max(0, memory - s.memory),
          diskGiB: Math.max(0, disk - s.disk),
        });
        await record();
      });
    } else await record();
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
    let domains: string[] | undefined;
    if (n.domainAllowList !== undefined) {
      const parsed = domainAllowListSchema.safeParse(n.domainAllowList);
      if (!parsed.success)
        throw new AppError('invalid_argument', parsed.error.issues.map((i) => i.message).join('; '), {
          hint: 'e.g. pypi.org,*.pythonhosted.org',
        });
      domains = parsed.data;
    }
    let allowList: string[] | undefined;
    if (n.networkAllowList !== undefined) {
      const parsed = CreateSandboxInput.shape.networkAllowList.safeParse(n.networkAllowList);
      if (!parsed.success)
        throw new AppError('invalid_argument', parsed.error.issues.map((i) => i.message).join('; '), {
          hint: 'e.g. 1.2.3.0/24,8.8.8.8/32',
        });
      allowList = parsed.data ?? [];
    }
    const s = await this.changeable(p, idOrName);
    const blockAll = n.networkBlockAll ?? s.networkBlockAll;
    const list = allowList ?? (s.networkAllowList ? s.networkAllowList.split(',') : []);
    const domainList = domains ?? (s.domainAllowList ? s.domainAllowList.split(',') : []);
    // Judged by the runner the sandbox is on: its runsc may run without network only.
    const gvisor = async () =>
      this.d.gvisorOf ? this.d.gvisorOf(s.runnerId) : (this.d.runner.engineInfo()?.gvisor ?? 'unavailable');
    if (!blockAll && s.runtime === 'gvisor' && (await gvisor()) !== 'available') {
      throw new AppError(
        'failed_precondition',
        `sandbox ${s.name} runs under gVisor, which has no network on its runner`,
        { hint: 'keep networkBlockAll true, or create a runc sandbox for network access' },
      );
    }
    const fields: Partial<SandboxRow> = {
      network_block_all: blockAll,
      network_allow_list: list.length ? list.join(',') : null,
      domain_allow_list: domainList.length ? domainList.join(',') : null,
      updated_at: this.d.clock.now().getTime(),
    };
    await this.d.repo.patch(s.id, fields);
    try {
      await this.d.runner.applyNetworkPolicy(s.id, { blockAll, allowList: list, domains: domainList });
    } catch (e) {
      await this.d.repo.patch(s.id, {
        network_block_all: s.networkBlockAll,
        network_allow_list: s.networkAllowList,
        domain_allow_list: s.domainAllowList,
      });
      throw e;
    }
    return this.d.sandboxes.get(p, s.id);
  }
}

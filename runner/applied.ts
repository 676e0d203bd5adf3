// What the runner applied to a sandbox it started in this process, so that a
// second start of the running container (a warm-pool claim, or a recovery)
// changes only what differs: live limits, network attachment, egress rules,
// and for a container born in the pool the owner's env through the daemon.
import { AppError } from '../common/errors.js';
import { crashpoint } from '../common/crashpoint.js';
import type { NetworkPolicy, SandboxDaemon, SandboxRuntimeSpec } from '../common/wire/runner.js';
import type { Egress } from './egress.js';
import type { ContainerRuntime } from './runtime/interface.js';

const GiB = 1024 ** 3;
const policyKey = (n: NetworkPolicy) => JSON.stringify([n.blockAll, n.allowList, n.domains ?? []]);

export interface Applied {
  ip: string | null;
  cpu: number;
  memoryBytes: number;
  blockAll: boolean;
  /** The egress policy applied (policyKey). */
  policy: string;
  /** Born in the warm pool: the owner's env goes through the daemon. */
  pooled: boolean;
  /** The env pushed to the daemon, as JSON ('' = none yet). */
  env: string;
}

export interface AdjustDeps {
  runtime: ContainerRuntime;
  egress: Egress;
  /** The sandbox network. */
  network: string;
}

/** What a full start of `spec` applied (at address `ip`). */
export const appliedBy = (spec: SandboxRuntimeSpec, ip: string | null, pooled: boolean): Applied => ({
  ip,
  cpu: spec.cpu,
  memoryBytes: Math.round(spec.memoryGiB * GiB),
  blockAll: spec.network.blockAll,
  policy: policyKey(spec.network),
  pooled,
  env: '',
});

/** Brings a running sandbox started by this process to `spec`: limits, network, egress, env. */
export async function adjustRunning(
  d: AdjustDeps,
  spec: SandboxRuntimeSpec,
  a: Applied,
  daemon: SandboxDaemon,
): Promise<void> {
  const id = spec.sandboxId;
  const memoryBytes = Math.round(spec.memoryGiB * GiB);
  if (a.cpu !== spec.cpu || a.memoryBytes !== memoryBytes) {
    await d.runtime.update(id, { cpu: spec.cpu, memoryBytes });
    a.cpu = spec.cpu;
    a.memoryBytes = memoryBytes;
  }
  crashpoint('claim:limits');
  if (a.blockAll !== spec.network.blockAll) {
    if (!(await d.runtime.setNetworkAttached(id, d.network, !spec.network.blockAll))) {
      throw new AppError('failed_precondition', `sandbox ${id} was created without networking`, {
        hint: 'create a new sandbox with networkBlockAll false',
      });
    }
    a.ip = spec.network.blockAll ? null : ((await d.runtime.inspect(id))?.ip ?? null);
    a.blockAll = spec.network.blockAll;
    a.policy = '';
  }
  const policy = policyKey(spec.network);
  if (a.policy !== policy) {
    await d.egress.apply(id, a.ip, spec.network);
    a.policy = policy;
  }
  if (a.pooled && !spec.pooled) await pushEnv(spec, a, daemon);
  crashpoint('claim:applied');
}

/** A pool-born container's environment predates its owner: the daemon gets the owner's env instead. */
export async function pushEnv(spec: SandboxRuntimeSpec, a: Applied, daemon: SandboxDaemon): Promise<void> {
  const env = JSON.stringify(spec.env);
  if (a.env === env) return;
  if (Object.keys(spec.env).length) await daemon.call('POST', '/env', { body: { set: spec.env } });
  a.env = env;
}

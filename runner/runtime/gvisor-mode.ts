// Which gVisor an engine offers, from its registered runtimes: none, a runsc
// that only works with its own --network=none (no netstack in a container
// network namespace on that host: such sandboxes must block all network), or
// a full one. The embedded runner reports it in its engine facts, a remote
// runner in its capacity, and placement sends each gVisor sandbox by it.
import type { GvisorMode } from '../../common/wire/runner.js';
import type { RuntimeInfo } from './interface.js';

export function gvisorMode(info: Pick<RuntimeInfo, 'runtimes' | 'runtimeArgs'>): GvisorMode {
  if (!info.runtimes.includes('runsc')) return 'unavailable';
  return (info.runtimeArgs?.runsc ?? []).includes('--network=none') ? 'no-network' : 'available';
}

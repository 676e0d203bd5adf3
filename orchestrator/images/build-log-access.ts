// Who may read which build log: a snapshot's or a sandbox's own build, in the
// caller's organization. Reading streams what exists and, with follow, the
// rest as the build writes it.
import { AppError } from '../../common/errors.js';
import type { Principal } from '../principal.js';
import type { Bus } from '../bus/index.js';
import type { Store } from '../store/db.js';
import type { BuildService } from './builds.js';
import { isTerminal } from './builds.js';
import { followBuildLog } from './build-logs.js';

export interface BuildLogAccessDeps {
  store: Store;
  bus: Bus;
  builds: BuildService;
  snapshots: { get(p: Principal, idOrName: string): Promise<{ id: string; name: string; buildId: string | null }> };
  sandboxes: { get(p: Principal, idOrName: string): Promise<{ id: string; name: string; buildId: string | null }> };
}

export class BuildLogAccess {
  constructor(private readonly d: BuildLogAccessDeps) {}

  async ofSnapshot(p: Principal, idOrName: string): Promise<{ snapshotId: string; buildId: string }> {
    const s = await this.d.snapshots.get(p, idOrName);
    if (!s.buildId)
      throw new AppError('not_found', `snapshot ${s.name} was not built here, so it has no build logs`, {
        hint: 'only snapshots created from a Dockerfile or an Image have build logs',
      });
    return { snapshotId: s.id, buildId: s.buildId };
  }

  async ofSandbox(p: Principal, idOrName: string): Promise<{ sandboxId: string; buildId: string }> {
    const s = await this.d.sandboxes.get(p, idOrName);
    if (!s.buildId)
      throw new AppError('not_found', `sandbox ${s.name} has no image build`, {
        hint: 'only sandboxes created from a Dockerfile or an Image have build logs (a reused cached image has none)',
      });
    return { sandboxId: s.id, buildId: s.buildId };
  }

  /** Writes the build's log to `write`; with `follow`, until the build ends or `signal` aborts. */
  stream(buildId: string, follow: boolean, signal: AbortSignal, write: (chunk: string) => void): Promise<void> {
    return followBuildLog({
      store: this.d.store,
      bus: this.d.bus,
      buildId,
      follow,
      signal,
      write,
      finished: async () => {
        const b = await this.d.builds.get(buildId);
        return !b || isTerminal(b.state);
      },
    });
  }
}

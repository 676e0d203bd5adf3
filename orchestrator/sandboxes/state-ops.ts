// Operations that copy a sandbox's state: a snapshot of its filesystem into
// an organization snapshot, and a fork (a new, independent sandbox with the
// same files and settings). Both commit the container (overlay2: its upper
// layer, with the container paused for that instant), never tar it.
import type { Clock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { RunnerClient } from '../../common/wire/runner.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import type { Snapshot } from '../snapshots/model.js';
import type { SnapshotService } from '../snapshots/service.js';
import type { Sandbox } from './model.js';
import type { Reconciler } from './reconciler.js';
import type { SandboxService, WaitOptions } from './service.js';
import { ACTIONS, actionAllowed } from './states.js';

export interface SandboxStateOpsDeps {
  sandboxes: SandboxService;
  snapshots: SnapshotService;
  reconciler: Reconciler;
  runner: RunnerClient;
  clock: Clock;
  /** Why this server commits no images (an API-only replica): refused before the sandbox is touched. */
  refused?: AppError;
}

export class SandboxStateOps {
  constructor(private readonly d: SandboxStateOpsDeps) {}

  private async committable(p: Principal, idOrName: string): Promise<Sandbox> {
    requirePermission(p, 'write:sandboxes');
    const s = await this.d.sandboxes.get(p, idOrName);
    if (this.d.refused) throw this.d.refused;
    if (!actionAllowed('snapshot', s.state) || s.desiredState === 'destroyed') {
      throw new AppError('failed_precondition', `sandbox ${s.name} is ${s.state}`, {
        hint: ACTIONS.snapshot.hint(s.state),
        details: { state: s.state },
      });
    }
    return s;
  }

  /** `sandbox.createSnapshot(name)`: the sandbox's filesystem as a snapshot `create({ snapshot: name })` can use. */
  async snapshot(
    p: Principal,
    idOrName: string,
    name: string | undefined,
  ): Promise<{ sandbox: Sandbox; snapshot: Snapshot }> {
    const s = await this.committable(p, idOrName);
    const snapName = name?.trim() || `${s.name}-${this.d.clock.now().getTime().toString(36)}`;
    const snapshot = await this.d.snapshots.fromSandbox(p, s, snapName, (ref) =>
      this.d.reconciler.exclusive(s.id, 'snapshotting', () =>
        this.d.runner.commitSandbox(s.id, ref, { 'berth.snapshot': snapName, 'berth.organization': s.organizationId }),
      ),
    );
    return { sandbox: await this.d.sandboxes.get(p, s.id), snapshot };
  }

  /**
   * `sandbox.fork({ name })`: commits the sandbox into an image of the fork's
   * own and creates the fork from it with the same settings. The two share
   * nothing afterwards (volumes excepted: they are shared by design).
   */
  async fork(p: Principal, idOrName: string, name: string | undefined, opts: WaitOptions = {}): Promise<Sandbox> {
    const s = await this.committable(p, idOrName);
    const id = newId();
    const ref = this.d.runner.forkImageRef(id);
    await this.d.reconciler.exclusive(s.id, 'snapshotting', () =>
      this.d.runner.commitSandbox(s.id, ref, { 'berth.fork-of': s.id, 'berth.organization': s.organizationId }),
    );
    const input = {
      ...(name ? { name } : {}),
      user: s.user ?? undefined,
      env: s.env,
      labels: s.labels,
      cpu: s.cpu,
      memory: s.memory,
      disk: s.disk,
      public: s.public,
      networkBlockAll: s.networkBlockAll,
      ...(s.networkAllowList ? { networkAllowList: s.networkAllowList } : {}),
      ...(s.domainAllowList ? { domainAllowList: s.domainAllowList } : {}),
      runtime: s.runtime,
      autoStopInterval: s.autoStopInterval,
      autoPauseInterval: s.autoPauseInterval,
      autoArchiveInterval: s.autoArchiveInterval,
      autoDeleteInterval: s.autoDeleteInterval,
      ...(s.volumes.length
        ? {
            volumes: s.volumes.map((v) => ({
              volumeId: v.volumeId,
              mountPath: v.mountPath,
              ...(v.subpath ? { subpath: v.subpath } : {}),
            })),
          }
        : {}),
      target: s.target,
    };
    try {
      return await this.d.sandboxes.create(p, input, {
        ...opts,
        preset: { id, image: ref, imageConfig: s.imageConfig },
      });
    } catch (e) {
      await this.d.runner.removeImage(ref).catch(() => {});
      throw e;
    }
  }
}

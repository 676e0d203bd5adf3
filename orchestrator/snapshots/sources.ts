// Where a snapshot's image comes from when it is not already on the engine:
// a registry (pulled in the background: pulling → active | error), a build
// (pending → building → active | build_failed, followed from the build's
// state) or a sandbox (its filesystem committed: snapshotting → active).
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { AppError } from '../../common/errors.js';
import type { RunnerClient } from '../../common/wire/runner.js';
import type { BuildService } from '../images/builds.js';
import type { RegistryService } from '../images/registries.js';
import type { Snapshot, SnapshotRow } from './model.js';
import type { SnapshotRepo } from './repo.js';

export interface SnapshotSourcesDeps {
  repo: SnapshotRepo;
  runner: RunnerClient;
  clock: Clock;
  log: Logger;
  builds?: BuildService;
  registries?: RegistryService;
}

export class SnapshotSources {
  constructor(private readonly d: SnapshotSourcesDeps) {}

  /** Pulls the snapshot's image in the background; the snapshot ends active or in error. */
  pull(organizationId: string, s: Pick<SnapshotRow, 'id' | 'image_name'>): void {
    void (async () => {
      const auth = (await this.d.registries?.credentialsFor(organizationId, s.image_name)) ?? null;
      await this.d.runner.pullImage(s.image_name, auth, () => {});
      const image = await this.d.runner.inspectImage(s.image_name);
      await this.d.repo.patch(s.id, {
        state: 'active',
        error_reason: null,
        size: image?.size ?? null,
        updated_at: this.d.clock.now().getTime(),
      });
    })().catch(async (e: Error) => {
      const hint = e instanceof AppError && e.hint ? ` — ${e.hint}` : '';
      await this.d.repo
        .patch(s.id, { state: 'error', error_reason: `${e.message}${hint}`, updated_at: this.d.clock.now().getTime() })
        .catch(() => {});
    });
  }

  /** Brings a build-backed snapshot's state in line with its build (any replica may have run it). */
  async sync(s: Snapshot): Promise<Snapshot> {
    if (!s.buildId || !this.d.builds || (s.state !== 'pending' && s.state !== 'building')) return s;
    const b = await this.d.builds.get(s.buildId);
    const now = this.d.clock.now().getTime();
    if (!b || b.state === 'failed') {
      const reason = b?.errorReason ?? 'the build is gone';
      await this.d.repo.patch(s.id, { state: 'build_failed', error_reason: reason, updated_at: now });
      return { ...s, state: 'build_failed', errorReason: reason };
    }
    if (b.state === 'done') {
      await this.d.repo.patch(s.id, { state: 'active', error_reason: null, size: b.size, updated_at: now });
      return { ...s, state: 'active', size: b.size };
    }
    if (b.state === 'building' && s.state === 'pending') {
      await this.d.repo.patch(s.id, { state: 'building', updated_at: now });
      return { ...s, state: 'building' };
    }
    return s;
  }
}

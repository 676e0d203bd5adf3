// Snapshot use cases: register an image (on the engine, or pulled), build one
// from a Dockerfile, commit a sandbox into one; list/get/delete/activate, and
// resolve a snapshot for sandbox create. Every organization has a default
// snapshot for the default image.
import { z } from 'zod';
import { AppError, notFound } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import type { RunnerClient } from '../../common/wire/runner.js';
import type { BuildService } from '../images/builds.js';
import type { RegistryService } from '../images/registries.js';
import type { Sandbox } from '../sandboxes/model.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import type { Store } from '../store/db.js';
import { imageFromDockerfile } from '../sandboxes/create-input.js';
import type { Snapshot, SnapshotChoice, SnapshotRow } from './model.js';
import { SNAPSHOT_SORT, SnapshotRepo, type SnapshotQuery } from './repo.js';
import type { WarmPool } from '../warmpool/pool.js';
import { SnapshotSources } from './sources.js';

export interface SnapshotServiceDeps {
  store: Store;
  runner: RunnerClient;
  clock: Clock;
  config: Config;
  /** Per-sandbox resource ceilings of this server. */
  limits: () => { maxCpu: number; maxMemoryGiB: number; maxDiskGiB: number };
  /** The warm pool: refilled when a size changes, asked how many are ready. */
  warmPool?: Pick<WarmPool, 'kick' | 'readyFor'>;
  log?: Logger;
  builds?: BuildService;
  registries?: RegistryService;
  /** Sandboxes (not deleted) created from a snapshot name or image: a snapshot in use cannot go. */
  usersOf?: (organizationId: string, name: string, image: string) => Promise<number>;
}

/** Most warm sandboxes one snapshot may ask for (each is a started container). */
export const MAX_WARM_POOL = 16;
export const WarmPoolSize = z.object({ size: z.number().int().min(0).max(MAX_WARM_POOL).nullable() }).strict();

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}$/;

export const CreateSnapshot = z
  .object({
    name: z.string().regex(NAME_RE, 'names are 1-255 letters, digits and . _ : / @ -, starting with a letter or digit'),
    imageName: z.string().min(1).max(512).optional(),
    entrypoint: z.array(z.string()).max(64).optional(),
    cpu: z.number().positive().optional(),
    gpu: z.number().int().min(0).max(0, 'GPUs are not available on this server').optional(),
    gpuType: z.array(z.string()).optional(),
    memory: z.number().positive().optional(),
    disk: z.number().positive().optional(),
    buildInfo: z.object({ dockerfileContent: z.string(), contextHashes: z.array(z.string()).optional() }).optional(),
    // Accepted for compatibility: one region, one sandbox class.
    regionId: z.string().optional(),
    sandboxClass: z.enum(['container']).optional(),
  })
  .strict();

export class SnapshotService {
  private readonly repo: SnapshotRepo;
  private readonly sources: SnapshotSources;
  /** Organizations whose default snapshot exists (saves a query per call). */
  private readonly withDefault = new Set<string>();

  constructor(private readonly d: SnapshotServiceDeps) {
    this.repo = new SnapshotRepo(d.store);
    this.sources = new SnapshotSources({
      repo: this.repo,
      runner: d.runner,
      clock: d.clock,
      log: d.log ?? (console as unknown as Logger),
      builds: d.builds,
      registries: d.registries,
    });
  }

  /** Image reference of a snapshot Berth made (built or committed): namespaced by runner. */
  private ownRef(id: string): string {
    return `berth-img/${this.d.runner.id}:snapshot-${id}`;
  }

  private owned(s: Snapshot): boolean {
    return s.imageName === this.ownRef(s.id);
  }

  /** Creates the organization's default snapshot (the default image) once. */
  private async ensureDefault(organizationId: string): Promise<void> {
    if (this.withDefault.has(organizationId)) return;
    const name = this.d.config.defaultImage;
    if (!(await this.repo.get(organizationId, name))) {
      const now = this.d.clock.now().getTime();
      const image = await this.d.runner.inspectImage(name).catch(() => null);
      await this.repo
        .insert({
          ...this.row(organizationId, name, name, now),
          general: true,
          state: image ? 'active' : 'error',
          error_reason: image ? null : `image ${name} is not built on this server — run \`berth up\``,
          size: image?.size ?? null,
        })
        .catch((e: Error) => {
          if (!/unique|duplicate/i.test(e.message)) throw e; // another replica made it
        });
    }
    this.withDefault.add(organizationId);
  }

  private row(organizationId: string, name: string, imageName: string, now: number): SnapshotRow {
    return {
      id: newId(),
      organization_id: organizationId,
      name,
      image_name: imageName,
      state: 'active',
      error_reason: null,
      general: false,
      entrypoint: null,
      cpu: null,
      memory: null,
      disk: null,
      size: null,
      source_sandbox_id: null,
      build_id: null,
      image_config: null,
      created_at: now,
      updated_at: now,
      last_used_at: null,
    };
  }

  async list(
    p: Principal,
    q: Partial<SnapshotQuery>,
  ): Promise<{ items: Snapshot[]; total: number; page: number; totalPages: number }> {
    await this.ensureDefault(p.organizationId);
    const page = q.page ?? 1;
    const limit = q.limit ?? 100;
    const sort = q.sort ?? 'lastUsedAt';
    if (!(sort in SNAPSHOT_SORT))
      throw new AppError('invalid_argument', `sort must be one of ${Object.keys(SNAPSHOT_SORT).join(', ')}`);
    const r = await this.repo.list(p.organizationId, {
      page,
      limit,
      name: q.name,
      sourceSandboxId: q.sourceSandboxId,
      sort,
      order: q.order ?? 'desc',
    });
    const items = await Promise.all(r.items.map((s) => this.withPool(s)));
    return { items, total: r.total, page, totalPages: Math.ceil(r.total / limit) };
  }

  private async withPool(s: Snapshot): Promise<Snapshot> {
    const byDefault = s.general && s.imageName === this.d.config.defaultImage ? this.d.config.warmPool : 0;
    const size = s.warmPoolSize ?? byDefault;
    const pool = this.d.warmPool;
    const ready = size > 0 && s.state === 'active' && pool ? await pool.readyFor(s.imageName, s) : 0;
    return { ...s, warmPool: { size, ready } };
  }

  /** PUT /snapshots/{id}/warm-pool {size}: started sandboxes kept ready for it (null = back to the default). */
  async setWarmPool(p: Principal, idOrName: string, raw: unknown): Promise<Snapshot> {
    requirePermission(p, 'write:snapshots');
    const r = WarmPoolSize.safeParse(raw ?? {});
    if (!r.success) {
      const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      throw new AppError('invalid_argument', `invalid warm pool size: ${problems}`, {
        hint: `send {"size": n} with n from 0 to ${MAX_WARM_POOL}, or {"size": null} for the default`,
      });
    }
    const s = await this.get(p, idOrName);
    await this.repo.patch(s.id, { warm_pool: r.data.size, updated_at: this.d.clock.now().getTime() });
    this.d.warmPool?.kick();
    return this.get(p, s.id);
  }

  async get(p: Principal, idOrName: string): Promise<Snapshot> {
    return this.withPool(await this.find(p, idOrName));
  }

  private async find(p: Principal, idOrName: string): Promise<Snapshot> {
    await this.ensureDefault(p.organizationId);
    const s = await this.repo.get(p.organizationId, idOrName);
    if (!s)
      throw notFound(
        `snapshot ${idOrName}`,
        'list snapshots with GET /api/snapshots, or register an image with POST /api/snapshots {name, imageName}',
      );
    return this.sources.sync(s);
  }

  /** Registers an image that exists on the engine (Berth does not build or pull images). */
  async create(p: Principal, raw: unknown): Promise<Snapshot> {
    requirePermission(p, 'write:snapshots');
    const r = CreateSnapshot.safeParse(raw ?? {});
    if (!r.success) {
      const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      throw new AppError('invalid_argument', `invalid snapshot: ${problems.join('; ')}`, {
        hint: 'send {name, imageName}',
        details: { problems },
      });
    }
    const b = r.data;
    let imageName = b.imageName;
    let build: { dockerfile: string; contextHashes: string[] } | null = null;
    if (b.buildInfo) {
      const contextHashes = b.buildInfo.contextHashes ?? [];
      const plain = contextHashes.length ? null : imageFromDockerfile(b.buildInfo.dockerfileContent);
      if (plain) imageName = plain;
      else build = { dockerfile: b.buildInfo.dockerfileContent, contextHashes };
    }
    if (!imageName && !build)
      throw new AppError('invalid_argument', 'imageName or buildInfo is required', {
        hint: 'send {name, imageName} naming an image, or {name, buildInfo: {dockerfileContent}}',
      });
    const lim = this.d.limits();
    const over = [
      b.cpu !== undefined && b.cpu > lim.maxCpu && `cpu ${b.cpu} > ${lim.maxCpu}`,
      b.memory !== undefined && b.memory > lim.maxMemoryGiB && `memory ${b.memory} > ${lim.maxMemoryGiB} GiB`,
      b.disk !== undefined && b.disk > lim.maxDiskGiB && `disk ${b.disk} > ${lim.maxDiskGiB} GiB`,
    ].filter(Boolean);
    if (over.length)
      throw new AppError('invalid_argument', `resources over this server's per-sandbox limits: ${over.join(', ')}`, {
        details: { limits: lim },
      });
    await this.ensureDefault(p.organizationId);
    if (await this.repo.get(p.organizationId, b.name))
      throw new AppError('conflict', `a snapshot named ${b.name} already exists`, {
        hint: 'pick another name or delete the existing snapshot',
      });
    if (build) {
      if (!this.d.builds) throw new AppError('not_implemented', 'this server does not build images');
      await this.d.builds.validate(p.organizationId, build.dockerfile, build.contextHashes);
    }
    const image = imageName ? await this.d.runner.inspectImage(imageName) : null;
    // An image to pull: its registry is asked first, so a wrong name or password fails now.
    if (imageName && !image)
      await this.d.runner.checkImage(
        imageName,
        (await this.d.registries?.credentialsFor(p.organizationId, imageName)) ?? null,
      );
    const now = this.d.clock.now().getTime();
    const row: SnapshotRow = {
      ...this.row(p.organizationId, b.name, imageName ?? '', now),
      entrypoint: b.entrypoint?.length ? JSON.stringify(b.entrypoint) : null,
      cpu: b.cpu ?? null,
      memory: b.memory ?? null,
      disk: b.disk ?? null,
      size: image?.size ?? null,
    };
    // A build or a pull fills the image in later; the snapshot says so in its state.
    if (build) Object.assign(row, { state: 'pending', image_name: this.ownRef(row.id) });
    else if (!image) row.state = 'pulling';
    try {
      await this.repo.insert(row);
    } catch (e) {
      if (/unique|duplicate/i.test((e as Error).message))
        throw new AppError('conflict', `a snapshot named ${b.name} already exists`, { hint: 'pick another name' });
      throw e;
    }
    if (build) {
      try {
        const started = await this.d.builds!.request(
          p.organizationId,
          'snapshot',
          build.dockerfile,
          build.contextHashes,
          row.image_name,
        );
        await this.repo.patch(row.id, { build_id: started.id });
      } catch (e) {
        await this.repo.remove(row.id); // no snapshot left waiting for a build that never started
        throw e;
      }
    } else if (!image) this.sources.pull(p.organizationId, row);
    return this.get(p, row.id);
  }

  /**
   * Commits a sandbox's filesystem into a new snapshot of its organization.
   * `commit` runs the runner's commit (under the sandbox's lease); the
   * snapshot is `snapshotting` meanwhile and `active` (or `error`) after.
   */
  async fromSandbox(
    p: Principal,
    s: Sandbox,
    name: string,
    commit: (ref: string) => Promise<{ size: number }>,
  ): Promise<Snapshot> {
    requirePermission(p, 'write:snapshots');
    if (!NAME_RE.test(name))
      throw new AppError(
        'invalid_argument',
        'names are 1-255 letters, digits and . _ : / @ -, starting with a letter or digit',
      );
    await this.ensureDefault(p.organizationId);
    if (await this.repo.get(p.organizationId, name))
      throw new AppError('conflict', `a snapshot named ${name} already exists`, {
        hint: 'pick another name or delete the existing snapshot',
      });
    const now = this.d.clock.now().getTime();
    const base = this.row(p.organizationId, name, '', now);
    const row: SnapshotRow = {
      ...base,
      image_name: this.ownRef(base.id),
      state: 'snapshotting',
      cpu: s.cpu,
      memory: s.memory,
      disk: s.disk,
      source_sandbox_id: s.id,
      image_config: s.imageConfig ? JSON.stringify(s.imageConfig) : null,
    };
    try {
      await this.repo.insert(row);
    } catch (e) {
      if (/unique|duplicate/i.test((e as Error).message))
        throw new AppError('conflict', `a snapshot named ${name} already exists`, { hint: 'pick another name' });
      throw e;
    }
    try {
      const { size } = await commit(row.image_name);
      await this.repo.patch(row.id, { state: 'active', size, updated_at: this.d.clock.now().getTime() });
    } catch (e) {
      await this.repo.remove(row.id);
      throw e;
    }
    return this.get(p, row.id);
  }

  /**
   * Removes the snapshot. A registered image stays on the engine; an image
   * Berth built or committed for it goes too. A snapshot sandboxes were
   * created from (and still exist) cannot go.
   */
  async remove(p: Principal, idOrName: string): Promise<void> {
    requirePermission(p, 'delete:snapshots');
    const s = await this.get(p, idOrName);
    if (s.general)
      throw new AppError('forbidden', `the default snapshot ${s.name} cannot be deleted`, {
        hint: 'it is what sandboxes use when no snapshot is given',
      });
    const users = (await this.d.usersOf?.(p.organizationId, s.name, s.imageName)) ?? 0;
    if (users > 0) {
      throw new AppError('conflict', `snapshot ${s.name} is used by ${users} sandbox${users === 1 ? '' : 'es'}`, {
        hint: 'delete the sandboxes created from it first (GET /api/sandbox?snapshots=<name> lists them)',
        reason: 'SNAPSHOT_IN_USE',
      });
    }
    if (s.buildId && (s.state === 'pending' || s.state === 'building'))
      await this.d.builds?.cancel(s.buildId, `snapshot ${s.name} was deleted during its build`);
    if (this.owned(s)) await this.d.runner.removeImage(s.imageName);
    await this.repo.remove(s.id);
  }

  async setActive(p: Principal, idOrName: string, active: boolean): Promise<Snapshot> {
    requirePermission(p, 'write:snapshots');
    const s = await this.get(p, idOrName);
    const now = this.d.clock.now().getTime();
    if (!active) {
      if (s.general) throw new AppError('forbidden', `the default snapshot ${s.name} cannot be deactivated`);
      await this.repo.patch(s.id, { state: 'inactive', updated_at: now });
    } else {
      // Activating re-checks the image: it may have been built or removed since.
      const image = await this.d.runner.inspectImage(s.imageName);
      await this.repo.patch(
        s.id,
        image
          ? { state: 'active', error_reason: null, size: image.size ?? null, updated_at: now }
          : { state: 'error', error_reason: `image ${s.imageName} is not available on this server`, updated_at: now },
      );
    }
    return this.get(p, s.id);
  }

  /** The snapshot a new sandbox is created from (by id or name), which must be active. */
  async choose(p: Principal, idOrName: string): Promise<SnapshotChoice> {
    const s = await this.find(p, idOrName);
    if (s.state !== 'active') {
      throw new AppError(
        'failed_precondition',
        `snapshot ${s.name} is ${s.state}${s.errorReason ? `: ${s.errorReason}` : ''}`,
        {
          hint:
            s.state === 'inactive'
              ? 'activate it with POST /api/snapshots/{id}/activate'
              : s.state === 'pending' || s.state === 'building' || s.state === 'pulling' || s.state === 'snapshotting'
                ? 'wait until it is active (GET /api/snapshots/{id})'
                : 'make its image available on the host, then activate it',
        },
      );
    }
    await this.repo.patch(s.id, { last_used_at: this.d.clock.now().getTime() });
    return {
      name: s.name,
      imageName: s.imageName,
      entrypoint: s.entrypoint,
      cpu: s.cpu,
      memory: s.memory,
      disk: s.disk,
      imageConfig: s.imageConfig,
    };
  }
}

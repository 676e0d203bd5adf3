// Volume use cases: create/list/get/delete, backed by engine volumes through
// the runner, and validation of the mounts a sandbox asks for at create.
import { posix } from 'node:path';
import { AppError, notFound } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import { VOLUME_SUBPATH_RE, type RunnerClient, type VolumeMount } from '../../common/wire/runner.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import type { VolumeMountInput } from '../sandboxes/create-input.js';
import type { Store } from '../store/db.js';
import type { Volume } from './model.js';
import { VolumeRepo } from './repo.js';
import { SandboxRepo } from '../sandboxes/repo.js';

export interface VolumeServiceDeps {
  store: Store;
  runner: RunnerClient;
  clock: Clock;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
/** Paths the engine and the daemon own inside every sandbox. */
const RESERVED = ['/.berth', '/proc', '/sys', '/dev'];

export class VolumeService {
  private readonly repo: VolumeRepo;
  private readonly sandboxes: SandboxRepo;

  constructor(private readonly d: VolumeServiceDeps) {
    this.repo = new VolumeRepo(d.store);
    this.sandboxes = new SandboxRepo(d.store);
  }

  list(p: Principal): Promise<Volume[]> {
    requirePermission(p, 'read:volumes');
    return this.repo.list(p.organizationId);
  }

  async get(p: Principal, id: string): Promise<Volume> {
    requirePermission(p, 'read:volumes');
    const v = await this.repo.get(p.organizationId, id);
    if (!v) throw notFound(`volume ${id}`, 'list volumes with GET /api/volumes');
    return v;
  }

  async getByName(p: Principal, name: string): Promise<Volume> {
    requirePermission(p, 'read:volumes');
    const v = await this.repo.byName(p.organizationId, name);
    if (!v) throw notFound(`volume ${name}`, 'create it with POST /api/volumes {name}');
    return v;
  }

  async create(p: Principal, name: string): Promise<Volume> {
    requirePermission(p, 'write:volumes');
    if (!NAME_RE.test(name))
      throw new AppError(
        'invalid_argument',
        'volume names are 1-255 letters, digits, ".", "_" or "-", starting with a letter or digit',
      );
    if (await this.repo.byName(p.organizationId, name))
      throw new AppError('conflict', `a volume named ${name} already exists`, {
        hint: 'use it (volume.get(name)) or pick another name',
      });
    const now = this.d.clock.now().getTime();
    const id = newId();
    try {
      await this.repo.insert({
        id,
        organization_id: p.organizationId,
        name,
        state: 'creating',
        error_reason: null,
        created_at: now,
        updated_at: now,
        last_used_at: null,
      });
    } catch (e) {
      if (/unique|duplicate/i.test((e as Error).message))
        throw new AppError('conflict', `a volume named ${name} already exists`);
      throw e;
    }
    try {
      await this.d.runner.createVolume(id, p.organizationId);
    } catch (e) {
      await this.repo.remove(id);
      throw e;
    }
    await this.repo.patch(id, { state: 'ready', updated_at: this.d.clock.now().getTime() });
    return this.get(p, id);
  }

  /** Deletes a volume and its data; refused while any sandbox mounts it. */
  async remove(p: Principal, id: string): Promise<void> {
    requirePermission(p, 'delete:volumes');
    const v = await this.get(p, id);
    const users = await this.sandboxes.mounting(p.organizationId, v.id);
    if (users.length) {
      throw new AppError(
        'conflict',
        `volume ${v.name} is in use by sandbox${users.length > 1 ? 'es' : ''} ${users.join(', ')}`,
        { hint: 'delete those sandboxes first (archiving keeps the mount)' },
      );
    }
    await this.repo.patch(v.id, { state: 'deleting', updated_at: this.d.clock.now().getTime() });
    try {
      await this.d.runner.removeVolume(v.id);
    } catch (e) {
      await this.repo.patch(v.id, { state: 'ready', updated_at: this.d.clock.now().getTime() });
      throw e;
    }
    await this.repo.remove(v.id);
  }

  /** Checks the mounts of a new sandbox: volumes of the caller's organization, sane distinct paths. */
  async resolveMounts(p: Principal, mounts: VolumeMountInput[]): Promise<VolumeMount[]> {
    const out: VolumeMount[] = [];
    const now = this.d.clock.now().getTime();
    for (const m of mounts) {
      const v =
        (await this.repo.get(p.organizationId, m.volumeId)) ?? (await this.repo.byName(p.organizationId, m.volumeId));
      if (!v)
        throw notFound(
          `volume ${m.volumeId}`,
          'create it first with POST /api/volumes {name} (daytona.volume.get(name, true))',
        );
      if (v.state !== 'ready')
        throw new AppError('failed_precondition', `volume ${v.name} is ${v.state}`, { hint: 'wait until it is ready' });
      const path = posix.normalize(m.mountPath).replace(/\/+$/, '');
      if (!m.mountPath.startsWith('/') || path === '' || path !== m.mountPath.replace(/\/+$/, '')) {
        throw new AppError(
          'invalid_argument',
          `mountPath ${JSON.stringify(m.mountPath)} must be an absolute, normalized path other than /`,
          { hint: 'e.g. /home/berth/data' },
        );
      }
      if (RESERVED.some((r) => path === r || path.startsWith(r + '/')))
        throw new AppError('invalid_argument', `mountPath ${path} is reserved`, {
          hint: `mount outside ${RESERVED.join(', ')}`,
        });
      if (
        out.some(
          (o) => o.mountPath === path || o.mountPath.startsWith(path + '/') || path.startsWith(o.mountPath + '/'),
        )
      ) {
        throw new AppError('invalid_argument', `mountPath ${path} overlaps another mount of this sandbox`, {
          hint: 'give each volume its own, non-nested path',
        });
      }
      const subpath = m.subpath?.replace(/^\/+|\/+$/g, '') || undefined;
      if (subpath !== undefined && !VOLUME_SUBPATH_RE.test(subpath)) {
        throw new AppError(
          'invalid_argument',
          `subpath ${JSON.stringify(m.subpath)} must be a relative folder path without . or .. parts`,
          { hint: 'e.g. users/alice' },
        );
      }
      out.push({ volumeId: v.id, mountPath: path, ...(subpath ? { subpath } : {}) });
      await this.repo.patch(v.id, { last_used_at: now });
    }
    return out;
  }
}

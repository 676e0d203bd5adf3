// Quotas per organization: sandbox count, cpu/memory/disk of running
// sandboxes (desired state started), snapshots, volumes and sandbox lifetime.
// A check and the write it guards run under one per-organization lock (Redis
// with REDIS_URL), so two replicas cannot both take the last slot. Limits are
// the server defaults unless a system administrator set an override.
import { AppError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Locks } from '../lock/index.js';
import type { Store } from '../store/db.js';
import type { Principal } from '../principal.js';
import { MembershipRepo } from '../orgs/memberships-repo.js';
import { OrganizationRepo } from '../orgs/organizations-repo.js';
import { OrganizationSettingsRepo, type OrganizationSettingsRow } from '../orgs/settings-repo.js';
import { SandboxRepo } from '../sandboxes/repo.js';
import { SnapshotRepo } from '../snapshots/repo.js';
import { VolumeRepo } from '../volumes/repo.js';

/** Every quota; -1 means unlimited. */
export interface Quotas {
  sandboxes: number;
  cpu: number;
  memoryGiB: number;
  diskGiB: number;
  snapshots: number;
  volumes: number;
  lifetimeMinutes: number;
}
export type QuotaName = keyof Quotas;

const COLUMNS: Record<QuotaName, keyof OrganizationSettingsRow> = {
  sandboxes: 'max_sandboxes',
  cpu: 'max_cpu',
  memoryGiB: 'max_memory',
  diskGiB: 'max_disk',
  snapshots: 'max_snapshots',
  volumes: 'max_volumes',
  lifetimeMinutes: 'max_lifetime_minutes',
};
export const QUOTA_NAMES = Object.keys(COLUMNS) as QuotaName[];

const UNIT: Record<QuotaName, string> = {
  sandboxes: 'sandboxes',
  cpu: 'cores of running sandboxes',
  memoryGiB: 'GiB of memory of running sandboxes',
  diskGiB: 'GiB of disk of running sandboxes',
  snapshots: 'snapshots',
  volumes: 'volumes',
  lifetimeMinutes: 'minutes of sandbox lifetime',
};

export interface Usage {
  sandboxes: number;
  runningSandboxes: number;
  cpu: number;
  memoryGiB: number;
  diskGiB: number;
  snapshots: number;
  volumes: number;
}

export interface QuotaDeps {
  store: Store;
  clock: Clock;
  locks: Locks;
  defaults: Quotas;
}

export class QuotaService {
  private readonly settings: OrganizationSettingsRepo;
  private readonly sandboxes: SandboxRepo;
  private readonly snapshots: SnapshotRepo;
  private readonly volumes: VolumeRepo;
  private readonly orgs: OrganizationRepo;
  private readonly memberships: MembershipRepo;

  constructor(private readonly d: QuotaDeps) {
    this.orgs = new OrganizationRepo(d.store);
    this.memberships = new MembershipRepo(d.store);
    this.settings = new OrganizationSettingsRepo(d.store);
    this.sandboxes = new SandboxRepo(d.store);
    this.snapshots = new SnapshotRepo(d.store);
    this.volumes = new VolumeRepo(d.store);
  }

  /** The limits in force for an organization, and which of them are overrides. */
  async get(organizationId: string): Promise<{ quotas: Quotas; overridden: QuotaName[] }> {
    const row = await this.settings.get(organizationId);
    const quotas = { ...this.d.defaults };
    const overridden: QuotaName[] = [];
    for (const q of QUOTA_NAMES) {
      const v = row?.[COLUMNS[q]];
      if (v !== null && v !== undefined) {
        quotas[q] = Number(v);
        overridden.push(q);
      }
    }
    return { quotas, overridden };
  }

  /** Changes quotas of any organization (null returns one to the server default). System administrators only. */
  async set(
    p: Principal,
    organizationId: string,
    patch: Partial<Record<QuotaName, number | null>>,
  ): Promise<{ quotas: Quotas; overridden: QuotaName[] }> {
    const missing = new AppError('not_found', `organization ${organizationId} not found`, {
      hint: 'list organizations with GET /api/organizations',
    });
    if (!p.systemAdmin || !p.permissions.includes('manage:organization')) {
      // Outsiders learn nothing about the organization; its own members are told why.
      const m = await this.memberships.get(organizationId, p.userId);
      if (!m) throw missing;
      throw new AppError('forbidden', 'only Berth administrators change quotas', {
        hint: "use a system administrator's key holding manage:organization (the key `berth serve` printed at first start)",
      });
    }
    if (!(await this.orgs.exists(organizationId))) throw missing;
    const fields: Partial<OrganizationSettingsRow> = {};
    for (const [k, v] of Object.entries(patch)) {
      if (!(QUOTA_NAMES as string[]).includes(k))
        throw new AppError('invalid_argument', `unknown quota ${k}`, { hint: `quotas: ${QUOTA_NAMES.join(', ')}` });
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v) || v < -1))
        throw new AppError(
          'invalid_argument',
          `${k} must be a number ≥ 0, -1 for unlimited, or null for the server default`,
          { hint: `e.g. {"${k}": 10}` },
        );
      if (
        v !== null &&
        (k === 'sandboxes' || k === 'snapshots' || k === 'volumes' || k === 'lifetimeMinutes') &&
        !Number.isInteger(v)
      )
        throw new AppError('invalid_argument', `${k} must be a whole number`, { hint: `e.g. {"${k}": 10}` });
      (fields as Record<string, unknown>)[COLUMNS[k as QuotaName]] = v;
    }
    await this.settings.patch(organizationId, fields, this.d.clock.now().getTime());
    return this.get(organizationId);
  }

  async used(organizationId: string): Promise<Usage> {
    const [sandboxes, snapshots, volumes] = await Promise.all([
      this.sandboxes.usageOf(organizationId),
      this.snapshots.countOwn(organizationId),
      this.volumes.count(organizationId),
    ]);
    return { ...sandboxes, snapshots, volumes };
  }

  /** Runs `f` while no other check-and-write of this organization runs (on any replica). */
  async guard<T>(organizationId: string, f: () => Promise<T>): Promise<T> {
    const key = `quota:${organizationId}`;
    // Waiting for another request's lock is real time (the lock's holder runs in it).
    // eslint-disable-next-line no-restricted-properties -- wall clock: how long a request waits for a lock
    const deadline = Date.now() + 15_000;
    for (;;) {
      const lease = await this.d.locks.acquire(key, 30_000);
      if (lease) {
        try {
          return await f();
        } finally {
          await lease.release().catch(() => {});
        }
      }
      // eslint-disable-next-line no-restricted-properties -- wall clock: how long a request waits for a lock
      if (Date.now() > deadline)
        throw new AppError('unavailable', 'too many concurrent requests in this organization', {
          hint: 'retry in a moment',
          recoverable: true,
        });
      // eslint-disable-next-line no-restricted-globals -- wall clock: back-off between lock attempts
      await new Promise((r) => setTimeout(r, 15 + Math.random() * 30));
    }
  }

  private exceeded(q: QuotaName, used: number, requested: number, limit: number): AppError {
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return new AppError(
      'quota_exceeded',
      `quota exceeded: ${round(used + requested)} ${UNIT[q]} would be over this organization's limit of ${round(limit)} (${round(used)} in use)`,
      {
        hint:
          q === 'snapshots' || q === 'volumes' || q === 'sandboxes'
            ? `delete ${q} you no longer need (GET /api/usage shows what is used), or ask a Berth administrator to raise the quota`
            : 'stop or delete running sandboxes or ask for fewer resources (GET /api/usage shows what is used), or ask a Berth administrator to raise the quota',
        details: { quota: q, used: round(used), requested: round(requested), limit: round(limit) },
      },
    );
  }

  /**
   * Checks that `add` more sandboxes (counted when `count`), and that much more
   * running cpu/memory/disk, fit the organization's quotas.
   */
  async checkSandboxes(
    organizationId: string,
    add: { count: number; cpu: number; memoryGiB: number; diskGiB: number },
  ): Promise<void> {
    const [{ quotas }, used] = await Promise.all([this.get(organizationId), this.sandboxes.usageOf(organizationId)]);
    const checks: [QuotaName, number, number][] = [
      ['sandboxes', used.sandboxes, add.count],
      ['cpu', used.cpu, add.cpu],
      ['memoryGiB', used.memoryGiB, add.memoryGiB],
      ['diskGiB', used.diskGiB, add.diskGiB],
    ];
    for (const [q, u, r] of checks) {
      const limit = quotas[q];
      if (limit >= 0 && r > 0 && u + r > limit + 1e-9) throw this.exceeded(q, u, r, limit);
    }
  }

  async checkCount(organizationId: string, q: 'snapshots' | 'volumes'): Promise<void> {
    const [{ quotas }, used] = await Promise.all([
      this.get(organizationId),
      q === 'snapshots' ? this.snapshots.countOwn(organizationId) : this.volumes.count(organizationId),
    ]);
    if (quotas[q] >= 0 && used + 1 > quotas[q]) throw this.exceeded(q, used, 1, quotas[q]);
  }

  /** Sandboxes older than their organization's lifetime limit (for the lifetime sweep). */
  async overLifetime(): Promise<{ organizationId: string; sandboxId: string; ageMinutes: number; limit: number }[]> {
    const now = this.d.clock.now().getTime();
    const limits = new Map<string, number>();
    for (const r of await this.settings.withLifetime()) limits.set(r.organization_id, Number(r.max_lifetime_minutes));
    const out = [];
    for (const r of await this.sandboxes.liveCreatedAt()) {
      const limit = limits.get(r.organizationId) ?? this.d.defaults.lifetimeMinutes;
      const age = (now - r.createdAt) / 60_000;
      if (limit >= 0 && age >= limit)
        out.push({ organizationId: r.organizationId, sandboxId: r.id, ageMinutes: Math.floor(age), limit });
    }
    return out;
  }
}

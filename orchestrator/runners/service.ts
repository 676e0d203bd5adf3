// Remote runners: Berth administrators make a token per runner (shown once,
// stored hashed), list runners with their capacity and state, drain, enable
// and remove them. Runners report through their link (./links.ts): what they
// offer once per link, their usage on every heartbeat.
import { AppError, notFound } from '../../common/errors.js';
import { newId, randomToken, sha256Hex } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { RunnerCapacity, RunnerUsage } from '../../common/wire/runner-link.js';
import type { Bus } from '../bus/index.js';
import type { Principal } from '../principal.js';
import type { Store } from '../store/db.js';
import { toRunnerInfo, type RunnerInfo, type RunnerRow, type StoredRunnerState } from './model.js';
import { RunnerRepo } from './repo.js';
import type { Migration, Rescue } from './mover.js';
import type { RunnerLoad } from './placement.js';

/** Published when a runner is removed: the replica holding its link closes it at once. */
export const RUNNER_REMOVED = 'runners.removed';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const LABEL_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
const MAX_LABELS = 32;

export interface CreateRunnerInput {
  name: string;
  labels?: Record<string, string>;
}

export interface RunnerServiceDeps {
  store: Store;
  clock: Clock;
  bus: Bus;
  /** A runner not heard from for this long is unreachable. */
  timeoutMs: number;
  /** What is placed on each runner (sandbox rows). */
  load(): Promise<Map<string, RunnerLoad>>;
  /** Starts moving every sandbox off the runner (orchestrator/runners/mover.ts). */
  evacuate?(runnerId: string): Migration;
  /** The last migration off the runner this replica ran. */
  migration?(runnerId: string): Migration | undefined;
  /** Takes the sandboxes of a runner lost for good off it (orchestrator/runners/mover.ts). */
  rescue?(runner: { id: string; name: string; archivePrefix: string | null }): Promise<Rescue>;
}

function requireAdmin(p: Principal, change: boolean): void {
  if (p.systemAdmin && (!change || p.permissions.includes('manage:organization'))) return;
  throw new AppError('forbidden', 'only Berth administrators manage runners', {
    hint: change
      ? "use a system administrator's key holding manage:organization (the key `berth serve` printed at first start)"
      : "use a system administrator's key (the key `berth serve` printed at first start)",
  });
}

function checkInput(input: CreateRunnerInput): void {
  if (!NAME_RE.test(input.name))
    throw new AppError('invalid_argument', 'runner names are 1-63 letters, digits and . _ - (starting alphanumeric)', {
      hint: 'e.g. "docker-eu-1"',
    });
  const labels = Object.entries(input.labels ?? {});
  if (labels.length > MAX_LABELS)
    throw new AppError('invalid_argument', `a runner has at most ${MAX_LABELS} labels`, { hint: 'drop some labels' });
  for (const [k, v] of labels) {
    if (!LABEL_KEY_RE.test(k) || typeof v !== 'string' || v.length > 63)
      throw new AppError('invalid_argument', `bad label ${JSON.stringify(k)}`, {
        hint: 'label keys are letters, digits and . _ / - (up to 63); values are strings of up to 63 characters',
      });
  }
}

export class RunnerService {
  private readonly repo: RunnerRepo;

  constructor(private readonly d: RunnerServiceDeps) {
    this.repo = new RunnerRepo(d.store);
  }

  private view(r: RunnerRow, load?: Map<string, RunnerLoad>): RunnerInfo {
    const info = toRunnerInfo(r, this.d.clock.now().getTime(), this.d.timeoutMs, load?.get(r.id));
    const migration = this.d.migration?.(r.id);
    return migration ? { ...info, migration } : info;
  }

  private async row(id: string): Promise<RunnerRow> {
    const r = await this.repo.get(id);
    if (!r) throw notFound(`runner ${id}`, 'list runners with GET /api/runners (`berth runner token list`)');
    return r;
  }

  /** Registers a runner; its token is in the answer only. */
  async create(p: Principal, input: CreateRunnerInput): Promise<RunnerInfo & { token: string }> {
    requireAdmin(p, true);
    checkInput(input);
    const taken = () =>
      new AppError('conflict', `a runner named ${input.name} exists`, {
        hint: 'pick another name, or remove that runner first (DELETE /api/runners/{id})',
      });
    if (await this.repo.byName(input.name)) throw taken();
    const token = `berth_runner_${randomToken(30)}`;
    const row: RunnerRow = {
      id: newId(),
      name: input.name,
      token_hash: sha256Hex(token),
      labels: JSON.stringify(input.labels ?? {}),
      state: 'ready',
      capacity: null,
      usage: null,
      last_seen_at: null,
      version: null,
      created_at: this.d.clock.now().getTime(),
    };
    try {
      await this.repo.insert(row);
    } catch (e) {
      if (await this.repo.byName(input.name)) throw taken(); // a concurrent create won
      throw e;
    }
    return { ...this.view(row), token };
  }

  async list(p: Principal): Promise<RunnerInfo[]> {
    requireAdmin(p, false);
    const [rows, load] = await Promise.all([this.repo.list(), this.d.load()]);
    return rows.map((r) => this.view(r, load));
  }

  async get(p: Principal, id: string): Promise<RunnerInfo> {
    requireAdmin(p, false);
    return this.view(await this.row(id), await this.d.load());
  }

  /**
   * No new sandboxes go to a draining runner. Its sandboxes stay, or with `migrate` each is
   * archived, moved to another runner and started there if it ran (in the background: the
   * runner's `migration` tells how it goes).
   */
  async drain(p: Principal, id: string, opts: { migrate?: boolean } = {}): Promise<RunnerInfo> {
    const info = await this.setState(p, id, 'draining');
    if (!opts.migrate) return info;
    if (!this.d.evacuate) throw new AppError('unavailable', 'this server cannot move sandboxes');
    return { ...info, migration: this.d.evacuate(id) };
  }

  enable(p: Principal, id: string): Promise<RunnerInfo> {
    return this.setState(p, id, 'ready');
  }

  private async setState(p: Principal, id: string, state: StoredRunnerState): Promise<RunnerInfo> {
    requireAdmin(p, true);
    await this.row(id);
    await this.repo.setState(id, state);
    return this.view(await this.row(id), await this.d.load());
  }

  /**
   * Forgets a runner and revokes its token; its link closes at once. Refused while it holds
   * sandboxes, unless `force` and it is unreachable (lost for good): then each of its sandboxes is
   * restored from its last archive in the archive store, or marked lost (`rescue` says which).
   */
  async remove(p: Principal, id: string, opts: { force?: boolean } = {}): Promise<RunnerInfo & { rescue?: Rescue }> {
    requireAdmin(p, true);
    const info = this.view(await this.row(id), await this.d.load());
    if (opts.force) {
      if (info.state !== 'unreachable')
        throw new AppError('conflict', `runner ${info.name} is ${info.state}, not unreachable`, {
          hint: 'move its sandboxes with `berth runner drain NAME --migrate`, then remove it without --force',
        });
      if (!this.d.rescue) throw new AppError('unavailable', 'this server cannot take sandboxes off a runner');
      const rescue = await this.d.rescue({ id, name: info.name, archivePrefix: info.capacity?.archivePrefix ?? null });
      await this.repo.remove(id);
      await this.d.bus.publish(RUNNER_REMOVED, { id }).catch(() => {});
      return { ...info, rescue };
    }
    if (info.sandboxes > 0)
      throw new AppError('conflict', `runner ${info.name} still holds ${info.sandboxes} sandbox(es)`, {
        hint:
          'move them with `berth runner drain NAME --migrate` (POST /api/runners/{id}/drain?migrate=true); ' +
          'a runner lost for good is removed with --force (?force=true)',
        details: { sandboxes: info.sandboxes },
      });
    await this.repo.remove(id);
    await this.d.bus.publish(RUNNER_REMOVED, { id }).catch(() => {});
    return info;
  }

  /** Runners new sandboxes may go to: left `ready` and heard from within the timeout (for placement). */
  async ready(): Promise<RunnerInfo[]> {
    return (await this.repo.list()).map((r) => this.view(r)).filter((r) => r.state === 'ready');
  }

  /** Every registered runner, whatever its state (what the runners offer, for checks before placement). */
  async all(): Promise<RunnerInfo[]> {
    return (await this.repo.list()).map((r) => this.view(r));
  }

  /** Ids of every registered runner (sweeps cover their sandboxes, reachable or not). */
  async ids(): Promise<string[]> {
    return (await this.repo.list()).map((r) => r.id);
  }

  /** Why a registered runner's sandboxes cannot be reached (not heard from within the timeout), or null. */
  async lost(id: string): Promise<string | null> {
    const r = await this.repo.get(id);
    if (!r) return null;
    const info = this.view(r);
    if (info.state !== 'unreachable') return null;
    const since = info.lastSeenAt ? `since ${info.lastSeenAt.toISOString()}` : 'since it was registered';
    return `runner ${r.name} has not been heard from ${since}; the sandbox is back when the runner is (GET /api/runners)`;
  }

  /** The runner a link token belongs to, or null. */
  async byToken(token: string): Promise<{ id: string; name: string } | null> {
    if (!token || token.length > 512) return null;
    const r = await this.repo.byTokenHash(sha256Hex(token));
    return r ? { id: r.id, name: r.name } : null;
  }

  /** Stores what a runner offers (once per link); false when it was removed meanwhile. */
  registered(id: string, capacity: RunnerCapacity): Promise<boolean> {
    const fields = { capacity: JSON.stringify(capacity), version: capacity.version };
    return this.repo.report(id, fields, this.d.clock.now().getTime());
  }

  /** Stores a heartbeat; false when the runner was removed meanwhile. */
  heartbeat(id: string, usage: RunnerUsage): Promise<boolean> {
    return this.repo.report(id, { usage: JSON.stringify(usage) }, this.d.clock.now().getTime());
  }
}

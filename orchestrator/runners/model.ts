// A remote runner as the admin API shows it. The stored state is the admin's
// intent; `unreachable` is derived from when the runner was last heard from.
import type { RunnerCapacity, RunnerUsage } from '../../common/wire/runner-link.js';
import type { Migration } from './mover.js';
import type { RunnerLoad } from './placement.js';

export const STORED_RUNNER_STATES = ['ready', 'draining', 'disabled'] as const;
export type StoredRunnerState = (typeof STORED_RUNNER_STATES)[number];
export type RunnerState = StoredRunnerState | 'unreachable';

export interface RunnerRow {
  id: string;
  name: string;
  token_hash: string;
  labels: string;
  state: string;
  capacity: string | null;
  usage: string | null;
  last_seen_at: number | string | null;
  version: string | null;
  created_at: number | string;
}

export interface RunnerInfo {
  id: string;
  name: string;
  state: RunnerState;
  /** The admin's labels over the ones the runner reports (BERTH_RUNNER_LABELS). */
  labels: Record<string, string>;
  capacity: Omit<RunnerCapacity, 'labels' | 'version'> | null;
  /** Limits of the sandboxes placed on the runner: cores and memory of those meant to run, disk of all. */
  allocated: { cpu: number; memoryGiB: number; diskGiB: number };
  /** Sandboxes placed on the runner, or the containers it reported holding when that is more. */
  sandboxes: number;
  usage: RunnerUsage | null;
  lastSeenAt: Date | null;
  version: string | null;
  createdAt: Date;
  /** The last `drain --migrate` of this runner, when the replica answering ran it. */
  migration?: Migration;
}

const parse = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

/** The row as the API shows it, `now` and `timeoutMs` deciding whether it is unreachable. */
export function toRunnerInfo(r: RunnerRow, now: number, timeoutMs: number, load?: RunnerLoad): RunnerInfo {
  const seen = r.last_seen_at === null ? null : Number(r.last_seen_at);
  const stored = r.state as StoredRunnerState;
  const stale = seen === null || now - seen > timeoutMs;
  const cap = parse<RunnerCapacity>(r.capacity);
  const usage = parse<RunnerUsage>(r.usage);
  const { labels: reported = {}, version: _v, ...capacity } = cap ?? ({} as Partial<RunnerCapacity>);
  return {
    id: r.id,
    name: r.name,
    state: stored !== 'disabled' && stale ? 'unreachable' : stored,
    labels: { ...reported, ...(parse<Record<string, string>>(r.labels) ?? {}) },
    capacity: cap ? (capacity as RunnerInfo['capacity']) : null,
    allocated: { cpu: load?.cpu ?? 0, memoryGiB: load?.memoryGiB ?? 0, diskGiB: load?.diskGiB ?? 0 },
    sandboxes: Math.max(load?.sandboxes ?? 0, usage?.sandboxes ?? 0),
    usage,
    lastSeenAt: seen === null ? null : new Date(seen),
    version: r.version,
    createdAt: new Date(Number(r.created_at)),
  };
}

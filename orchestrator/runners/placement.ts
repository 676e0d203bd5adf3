// Where a new sandbox runs: the embedded runner or a remote one. Runners are
// filtered (ready and linked to this replica, the request's target region,
// runtime — a gVisor with networking for a gVisor sandbox that has a network
// —, room within the overcommit ratios) and scored by the headroom they keep
// after taking the sandbox; near-equal scores are broken at random, so equal
// runners fill evenly. A create that fits nowhere gets `no_capacity` with
// what each runner lacks.
import { AppError } from '../../common/errors.js';
import type { GvisorMode } from '../../common/wire/runner.js';

export interface PlacementNeed {
  cpu: number;
  memoryGiB: number;
  diskGiB: number;
  runtime: 'runc' | 'gvisor';
  /** The sandbox has a network (not networkBlockAll): under gVisor it needs a runsc with networking. */
  network: boolean;
  /** The request's `target`: only runners whose `region` label is this one, or that have none. */
  target?: string | null;
  /** Why only the embedded runner can serve this sandbox (volumes, a fork's image), if so. */
  localOnly?: string;
  /** A runner to take when it fits (one holding a warm sandbox for this request). */
  prefer?: string;
  /** The runner a moving sandbox leaves: never chosen. */
  avoid?: string;
}

/** A runner that could take sandboxes, with what it offers and what is placed on it. */
export interface Candidate {
  id: string;
  name: string;
  local: boolean;
  labels: Record<string, string>;
  cpus: number;
  memoryGiB: number;
  /** Null when the runner does not report its disk. */
  diskGiB: number | null;
  /** Which gVisor its engine offers. */
  gvisor: GvisorMode;
  load: RunnerLoad;
}

export interface RunnerLoad {
  /** Cores and memory of sandboxes meant to run; disk of every sandbox held. */
  cpu: number;
  memoryGiB: number;
  diskGiB: number;
  sandboxes: number;
}

/** How far limits may add up beyond what a runner has: limits are ceilings, not reservations. */
export interface Overcommit {
  cpu: number;
  memory: number;
  disk: number;
}

export const NO_LOAD: RunnerLoad = { cpu: 0, memoryGiB: 0, diskGiB: 0, sandboxes: 0 };

/**
 * Scores within this of the best are ties. Small, so that runners of one
 * size stay within a sandbox or two of each other while filling.
 */
const TIE = 0.005;

const GVISOR_OFFLINE = 'its gVisor (runsc) runs only without network, and the sandbox has one';

/** What keeps `c` from taking the sandbox, or null when it can. */
function refusal(c: Candidate, need: PlacementNeed, ratio: Overcommit): string | null {
  if (need.avoid === c.id) return 'the sandbox is moving off it';
  if (need.localOnly && !c.local) return `only the embedded runner can hold it: ${need.localOnly}`;
  const region = c.labels.region;
  if (need.target && region !== undefined && region !== need.target)
    return `region ${region}, not ${need.target} (the request's target)`;
  if (need.runtime === 'gvisor' && c.gvisor === 'unavailable') return 'no gVisor (runsc) runtime';
  if (need.runtime === 'gvisor' && c.gvisor === 'no-network' && need.network) return GVISOR_OFFLINE;
  const short: string[] = [];
  const room = (what: string, unit: string, asked: number, used: number, has: number, r: number) => {
    if (used + asked > has * r + 1e-9)
      short.push(`${what}: ${fmt(asked)}${unit} asked, ${fmt(used)} of ${fmt(has * r)}${unit} allocated`);
  };
  room('cpu', '', need.cpu, c.load.cpu, c.cpus, ratio.cpu);
  room('memory', ' GiB', need.memoryGiB, c.load.memoryGiB, c.memoryGiB, ratio.memory);
  if (c.diskGiB !== null) room('disk', ' GiB', need.diskGiB, c.load.diskGiB, c.diskGiB, ratio.disk);
  return short.length ? short.join('; ') : null;
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);

/** The fraction of its (overcommitted) size a runner keeps free after taking the sandbox: its tightest resource. */
function headroom(c: Candidate, need: PlacementNeed, ratio: Overcommit): number {
  const free = (asked: number, used: number, has: number, r: number) => 1 - (used + asked) / Math.max(has * r, 1e-9);
  const parts = [
    free(need.cpu, c.load.cpu, c.cpus, ratio.cpu),
    free(need.memoryGiB, c.load.memoryGiB, c.memoryGiB, ratio.memory),
  ];
  if (c.diskGiB !== null) parts.push(free(need.diskGiB, c.load.diskGiB, c.diskGiB, ratio.disk));
  return Math.min(...parts);
}

/** The runner for a new sandbox; throws `no_capacity` (503) saying what each runner lacks. */
export function choose(
  need: PlacementNeed,
  candidates: Candidate[],
  ratio: Overcommit,
  random: () => number = Math.random,
): Candidate {
  const fits: Candidate[] = [];
  const refused: { runner: string; why: string }[] = [];
  for (const c of candidates) {
    const why = refusal(c, need, ratio);
    if (why) refused.push({ runner: c.name, why });
    else fits.push(c);
  }
  if (!fits.length) {
    const offline = refused.some((r) => r.why === GVISOR_OFFLINE);
    throw new AppError('no_capacity', noRoomMessage(candidates.length, refused), {
      hint: candidates.length
        ? `${offline ? 'create it with networkBlockAll: true (gVisor without network), or ' : ''}` +
          'ask for less cpu, memory or disk, stop or delete sandboxes you do not use, or add a runner (docs/scale-out.md)'
        : 'start a runner (`berth runner`, docs/scale-out.md) or enable one with `berth runner enable NAME`',
      recoverable: true,
      details: { runners: refused },
    });
  }
  const preferred = need.prefer ? fits.find((c) => c.id === need.prefer) : undefined;
  if (preferred) return preferred;
  const scored = fits.map((c) => ({ c, score: headroom(c, need, ratio) }));
  const best = Math.max(...scored.map((s) => s.score));
  const ties = scored.filter((s) => s.score >= best - TIE);
  return ties[Math.min(ties.length - 1, Math.floor(random() * ties.length))]!.c;
}

function noRoomMessage(total: number, refused: { runner: string; why: string }[]): string {
  if (!total) return 'no runner can take sandboxes now: none is ready and linked to this server';
  return `no runner has room for this sandbox: ${refused.map((r) => `${r.runner} (${r.why})`).join('; ')}`;
}

/**
 * A remote runner's gVisor by the capacity it reported. Runners older than the `gvisor` field
 * count any runsc as one with networking, as placement did before them.
 */
export function gvisorOfCapacity(cap: { runtimes: string[]; gvisor?: GvisorMode }): GvisorMode {
  return cap.gvisor ?? (cap.runtimes.includes('runsc') ? 'available' : 'unavailable');
}

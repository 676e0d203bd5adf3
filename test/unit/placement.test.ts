// Placement: which runner a new sandbox goes to. Filters (local-only requests,
// target region, gVisor and whether its runsc has networking, room within the
// overcommit ratios) with the reason each runner was refused; the runner with
// the most headroom wins, near-ties broken at random so equal runners fill
// evenly; a warm runner is preferred when it fits. The Placer's answers about
// the runners' gVisor, from capacities old runners report without it too. And
// the router: each sandbox's calls reach the runner it was placed on, host
// calls the embedded runner, an image is made present first (its progress
// lines named by organization and sandbox).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  choose,
  gvisorOfCapacity,
  NO_LOAD,
  type Candidate,
  type PlacementNeed,
} from '../../orchestrator/runners/placement.js';
import { Placer } from '../../orchestrator/runners/placer.js';
import type { RunnerInfo } from '../../orchestrator/runners/model.js';
import { RunnerRouter } from '../../orchestrator/runners/router.js';
import { AppError } from '../../common/errors.js';
import type { EngineInfo, GvisorMode, RunnerClient, SandboxRuntimeSpec } from '../../common/wire/runner.js';
import type { RunnerCapacity } from '../../common/wire/runner-link.js';

const ratio = { cpu: 4, memory: 2, disk: 1 };
const runner = (o: Partial<Candidate> & { id: string }): Candidate => ({
  name: o.id,
  local: false,
  labels: {},
  cpus: 4,
  memoryGiB: 8,
  diskGiB: 100,
  gvisor: 'unavailable',
  load: NO_LOAD,
  ...o,
});
const need = (o: Partial<PlacementNeed> = {}): PlacementNeed => ({
  cpu: 1,
  memoryGiB: 1,
  diskGiB: 10,
  runtime: 'runc',
  network: true,
  ...o,
});
const noCapacity = (re: RegExp) => (e: unknown) =>
  e instanceof AppError && e.code === 'no_capacity' && re.test(e.message);

describe('placement', () => {
  it('takes the runner with the most headroom after the sandbox', () => {
    const busy = runner({ id: 'busy', load: { cpu: 10, memoryGiB: 4, diskGiB: 10, sandboxes: 5 } });
    const idle = runner({ id: 'idle', load: { cpu: 1, memoryGiB: 1, diskGiB: 10, sandboxes: 1 } });
    assert.equal(choose(need(), [busy, idle], ratio).id, 'idle');
  });

  it('breaks near-ties at random, so equal runners share the creates', () => {
    const a = runner({ id: 'a' });
    const b = runner({ id: 'b' });
    assert.equal(choose(need(), [a, b], ratio, () => 0).id, 'a');
    assert.equal(choose(need(), [a, b], ratio, () => 0.99).id, 'b');
  });

  it('keeps to the target region; runners without a region take any target', () => {
    const eu = runner({ id: 'eu', labels: { region: 'eu' } });
    const us = runner({ id: 'us', labels: { region: 'us' } });
    const any = runner({ id: 'any', load: { cpu: 15, memoryGiB: 15, diskGiB: 0, sandboxes: 9 } });
    assert.equal(choose(need({ target: 'us' }), [eu, us], ratio).id, 'us');
    assert.equal(choose(need({ target: 'asia' }), [eu, us, any], ratio).id, 'any');
    assert.throws(() => choose(need({ target: 'asia' }), [eu, us], ratio), noCapacity(/eu \(region eu, not asia/));
  });

  it('never overcommits beyond the ratios, and says what is short', () => {
    const full = runner({ id: 'full', load: { cpu: 15.5, memoryGiB: 2, diskGiB: 95, sandboxes: 9 } });
    assert.throws(
      () => choose(need(), [full], ratio),
      (e: unknown) =>
        noCapacity(/cpu: 1 asked, 15.5 of 16 allocated; disk: 10 GiB asked, 95 of 100 GiB allocated/)(e) &&
        Array.isArray((e as AppError).details?.runners),
    );
    assert.equal(choose(need({ cpu: 0.5, diskGiB: 5 }), [full], ratio).id, 'full', 'exactly full still fits');
    const noDisk = runner({ id: 'local', local: true, diskGiB: null, load: { ...NO_LOAD, diskGiB: 10_000 } });
    assert.equal(choose(need(), [noDisk], ratio).id, 'local', 'a runner that reports no disk is not refused for it');
  });

  it('sends gVisor only where runsc is, and local-only requests to the embedded runner', () => {
    const plain = runner({ id: 'plain' });
    const gv = runner({
      id: 'gv',
      gvisor: 'available',
      load: { cpu: 8, memoryGiB: 8, diskGiB: 0, sandboxes: 4 },
    });
    assert.equal(choose(need({ runtime: 'gvisor' }), [plain, gv], ratio).id, 'gv');
    assert.throws(() => choose(need({ runtime: 'gvisor' }), [plain], ratio), noCapacity(/plain \(no gVisor \(runsc\)/));
    const local = runner({ id: 'local', local: true, load: { cpu: 8, memoryGiB: 8, diskGiB: 0, sandboxes: 4 } });
    assert.equal(choose(need({ localOnly: 'volumes' }), [plain, local], ratio).id, 'local');
    assert.throws(() => choose(need({ localOnly: 'volumes' }), [plain], ratio), noCapacity(/only the embedded runner/));
  });

  it('sends a gVisor sandbox with network only where runsc has networking; one without network anywhere runsc is', () => {
    const offline = runner({ id: 'offline', gvisor: 'no-network' });
    const full = runner({ id: 'full', gvisor: 'available', load: { cpu: 8, memoryGiB: 8, diskGiB: 0, sandboxes: 4 } });
    const plain = runner({ id: 'plain' });
    assert.equal(choose(need({ runtime: 'gvisor', network: true }), [offline, full, plain], ratio).id, 'full');
    assert.equal(
      choose(need({ runtime: 'gvisor', network: false }), [offline, full, plain], ratio).id,
      'offline',
      'the emptier runner wins when both can run it',
    );
    assert.equal(choose(need({ runtime: 'gvisor', network: false }), [full], ratio).id, 'full');
    assert.equal(
      choose(need({ runtime: 'runc', network: true }), [offline], ratio).id,
      'offline',
      'runc is not limited',
    );
    assert.throws(
      () => choose(need({ runtime: 'gvisor', network: true }), [offline, plain], ratio),
      (e: unknown) =>
        noCapacity(
          /^no runner has room for this sandbox: offline \(its gVisor \(runsc\) runs only without network, and the sandbox has one\); plain \(no gVisor \(runsc\) runtime\)$/,
        )(e) && /networkBlockAll: true/.test((e as AppError).hint ?? ''),
    );
    assert.throws(
      () => choose(need({ runtime: 'gvisor', network: false }), [plain], ratio),
      (e: unknown) => noCapacity(/no gVisor/)(e) && !/networkBlockAll/.test((e as AppError).hint ?? ''),
    );
  });

  it('reads a runner capacity without the gVisor field as before it existed: any runsc has networking', () => {
    assert.equal(gvisorOfCapacity({ runtimes: ['runc', 'runsc'] }), 'available');
    assert.equal(gvisorOfCapacity({ runtimes: ['runc'] }), 'unavailable');
    assert.equal(gvisorOfCapacity({ runtimes: ['runc', 'runsc'], gvisor: 'no-network' }), 'no-network');
    assert.equal(gvisorOfCapacity({ runtimes: ['runc'], gvisor: 'unavailable' }), 'unavailable');
  });

  it('prefers the runner holding a warm sandbox when it fits, and says when there is no runner at all', () => {
    const warm = runner({ id: 'warm', load: { cpu: 8, memoryGiB: 8, diskGiB: 0, sandboxes: 4 } });
    assert.equal(choose(need({ prefer: 'warm' }), [runner({ id: 'idle' }), warm], ratio).id, 'warm');
    assert.throws(() => choose(need(), [], ratio), noCapacity(/no runner can take sandboxes/));
  });

  it('never moves a sandbox back onto the runner it leaves, even the emptiest', () => {
    const leaving = runner({ id: 'leaving' });
    const busy = runner({ id: 'busy', load: { cpu: 8, memoryGiB: 8, diskGiB: 0, sandboxes: 4 } });
    assert.equal(choose(need({ avoid: 'leaving' }), [leaving, busy], ratio).id, 'busy');
    assert.throws(() => choose(need({ avoid: 'leaving' }), [leaving], ratio), noCapacity(/moving off it/));
  });
});

/** A remote runner as the registry shows it, with the capacity it reported (null: never linked). */
const registered = (id: string, state: RunnerInfo['state'], capacity: Partial<RunnerCapacity> | null): RunnerInfo => ({
  id,
  name: id,
  state,
  labels: {},
  capacity: capacity
    ? {
        cpus: 4,
        memoryGiB: 8,
        diskGiB: 100,
        runtimes: ['runc'],
        storageDriver: 'overlay2',
        engineVersion: '20.10',
        ...capacity,
      }
    : null,
  allocated: { cpu: 0, memoryGiB: 0, diskGiB: 0 },
  sandboxes: 0,
  usage: null,
  lastSeenAt: null,
  version: null,
  createdAt: new Date(0),
});

describe('placer: which gVisor the runners offer', () => {
  const placer = (local: GvisorMode | undefined, remote: RunnerInfo[], linked: string[] = []) =>
    new Placer({
      local: {
        id: 'local',
        engine: () =>
          local === undefined ? undefined : ({ cpus: 2, memoryBytes: 8 * 1024 ** 3, gvisor: local } as EngineInfo),
        labels: {},
      },
      ready: async () => remote.filter((r) => r.state === 'ready'),
      registered: async () => remote,
      linked: () => linked,
      load: async () => new Map(),
      overcommit: ratio,
    });

  it('counts the embedded runner and every remote one not disabled that reported, reachable now or not', async () => {
    const remote = [
      registered('full', 'unreachable', { runtimes: ['runc', 'runsc'], gvisor: 'available' }),
      registered('off', 'disabled', { runtimes: ['runc', 'runsc'], gvisor: 'available' }),
      registered('old', 'draining', { runtimes: ['runc', 'runsc'] }),
      registered('new', 'ready', null),
    ];
    assert.deepEqual(await placer('no-network', remote).gvisorModes(), ['no-network', 'available', 'available']);
    assert.deepEqual(await placer(undefined, remote.slice(1, 2)).gvisorModes(), [], 'a disabled runner never counts');
    assert.equal(await placer('no-network', remote).gvisorOf('local'), 'no-network');
    assert.equal(await placer('no-network', remote).gvisorOf('full'), 'available');
    assert.equal(await placer('no-network', remote).gvisorOf('new'), 'unavailable', 'never reported');
    assert.equal(await placer('no-network', remote).gvisorOf('gone'), 'unavailable');
  });

  it('places a networked gVisor sandbox on the linked remote runner with networking, not the embedded no-network one', async () => {
    const remote = [registered('full', 'ready', { runtimes: ['runc', 'runsc'], gvisor: 'available' })];
    const p = placer('no-network', remote, ['full']);
    const gvisor = { cpu: 1, memoryGiB: 1, diskGiB: 1, runtime: 'gvisor' as const };
    assert.equal(await p.place({ ...gvisor, network: true }), 'full');
    await assert.rejects(
      () => placer('no-network', [], []).place({ ...gvisor, network: true }),
      noCapacity(/embedded runner \(its gVisor \(runsc\) runs only without network/),
    );
    assert.equal(await placer('no-network', [], []).place({ ...gvisor, network: false }), 'local');
  });
});

/** A runner that records the calls it gets. */
function recorder(id: string, calls: string[], images = new Set<string>()): RunnerClient {
  return new Proxy({ id } as RunnerClient, {
    get: (t, prop) =>
      prop === 'id'
        ? id
        : prop === 'then'
          ? undefined
          : prop === 'daemon'
            ? (sid: string) => ({ exec: async () => (calls.push(`${id}:exec:${sid}`), { exitCode: 0 }) })
            : async (...a: unknown[]) => {
                calls.push(`${id}:${String(prop)}:${typeof a[0] === 'object' ? 'spec' : String(a[0])}`);
                return prop === 'inspectImage' ? (images.has(String(a[0])) ? {} : null) : undefined;
              },
  });
}

describe('runner router', () => {
  it('sends each sandbox’s calls to its runner, host calls to the embedded one, and reads the store once', async () => {
    const calls: string[] = [];
    const reads: string[] = [];
    const where: Record<string, string> = { s1: 'local', s2: 'far' };
    const ensured: string[] = [];
    const progress: unknown[] = [];
    const router = new RunnerRouter({
      local: recorder('local', calls),
      remote: (id) => recorder(id, calls),
      linked: () => ['far'],
      runnerOf: async (id) => (reads.push(id), where[id] ?? null),
      images: {
        ensure: async (t, ref, onProgress) => {
          ensured.push(`${t.id}:${ref}`);
          onProgress?.(`sending image ${ref} to runner ${t.id}: 0 B of 3 B`);
        },
      },
      onImageProgress: (p) => progress.push(p),
    });
    await router.observe('s1');
    await router.observe('s2');
    await router.stats('s2');
    await router.ensureStarted({ sandboxId: 's2', organizationId: 'o1', image: 'img' } as SandboxRuntimeSpec);
    await router.daemon('s2').exec({ command: 'true' });
    await router.observe('pool-member');
    await router.inspectImage('img');
    assert.deepEqual(calls, [
      'local:observe:s1',
      'far:observe:s2',
      'far:stats:s2',
      'far:ensureStarted:spec',
      'far:exec:s2',
      'local:observe:pool-member',
      'local:inspectImage:img',
    ]);
    assert.deepEqual(reads, ['s1', 's2', 'pool-member'], 'one store read per sandbox');
    assert.deepEqual(ensured, ['far:img'], 'the image is made present on the remote runner before its start');
    assert.deepEqual(progress, [
      { organizationId: 'o1', sandboxId: 's2', line: 'sending image img to runner far: 0 B of 3 B' },
    ]);
    assert.deepEqual(
      router.reachable().map((r) => r.id),
      ['local', 'far'],
    );
    // A snapshot of a remote sandbox comes back to the API host's engine, where images are looked for.
    calls.length = 0;
    await router.commitSandbox('s2', 'ref', {});
    assert.deepEqual(calls, [
      'far:commitSandbox:s2',
      'far:saveImage:ref',
      'local:loadImage:undefined',
      'far:removeImage:ref',
    ]);
  });

  it('reads the store again after a sandbox is destroyed; a lazily routed daemon is not a thenable', async () => {
    const calls: string[] = [];
    let reads = 0;
    const router = new RunnerRouter({
      local: recorder('local', calls),
      remote: (id) => recorder(id, calls),
      linked: () => [],
      runnerOf: async () => (reads++, 'far'),
    });
    const d = router.daemon('s3');
    assert.equal((d as unknown as { then?: unknown }).then, undefined);
    await d.exec({ command: 'true' });
    await router.ensureDestroyed('s3');
    await router.observe('s3');
    assert.equal(reads, 2);
    assert.deepEqual(calls, ['far:exec:s3', 'far:ensureDestroyed:s3', 'far:observe:s3']);
  });
});

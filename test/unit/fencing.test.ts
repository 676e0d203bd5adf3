// Two reconcilers, one lease, on the in-memory engine with a ManualClock:
// while one holds a sandbox's lease the other keeps out; when the holder
// freezes past its lease the other takes over, and the frozen one's late
// write is refused by the fence in the store. No Docker, no sleeps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { MemoryBus } from '../../orchestrator/bus/index.js';
import { MemoryLocks, type Locks } from '../../orchestrator/lock/index.js';
import { Reconciler } from '../../orchestrator/sandboxes/reconciler.js';
import { LeaseLost, SandboxRepo } from '../../orchestrator/sandboxes/repo.js';
import { SandboxService } from '../../orchestrator/sandboxes/service.js';
import type { SandboxRow } from '../../orchestrator/sandboxes/row.js';
import { MemoryRuntime } from '../../runner/runtime/memory.js';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';

/** Records the fences a reconciler took and the writes the store refused it. */
class SpyRepo extends SandboxRepo {
  readonly fences: number[] = [];
  refused = 0;
  override async bumpFence(id: string): Promise<number | null> {
    const f = await super.bumpFence(id);
    if (f !== null) this.fences.push(f);
    return f;
  }
  override async fencedPatch(id: string, fence: number, fields: Partial<SandboxRow>): Promise<void> {
    try {
      await super.fencedPatch(id, fence, fields);
    } catch (e) {
      if (e instanceof LeaseLost) this.refused++;
      throw e;
    }
  }
}

/** A process that froze (a long GC pause, a stopped VM): it holds its lease but never renews it. */
const frozen = (locks: Locks): Locks => ({
  kind: locks.kind,
  close: () => locks.close(),
  owner: (key) => locks.owner(key),
  acquire: async (key, ttlMs) => {
    const lease = await locks.acquire(key, ttlMs);
    return lease && { ...lease, keepAlive: () => {} };
  },
});

/** Lets pending I/O run until `done` holds (bounded; no timers involved). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), `gave up waiting until ${what}`);
}

describe('fencing: two reconcilers, one lease (in-memory engine)', () => {
  let stack: Stack;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const runtime = new MemoryRuntime();
  const LEASE_MS = 15_000;

  before(async () => {
    stack = await startStack({ clock, runtime });
  });
  after(async () => stack?.close());

  const reconciler = (repo: SandboxRepo, locks: Locks) =>
    new Reconciler({
      repo,
      runner: stack.server.runner,
      locks,
      bus: new MemoryBus(),
      clock,
      log: silentLogger,
      spec: (s) => SandboxService.spec(s, s.imageConfig ?? undefined),
      busy: () => false,
      diskLimitEnforced: () => true,
      leaseMs: LEASE_MS,
    });

  it('keeps the second out while the first works, and fences off the first once its lease lapsed', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 0 });
    assert.equal((await stack.api('POST', `/sandbox/${s.id}/stop`)).body.state, 'stopped');
    const lease = new MemoryLocks(clock);
    const repoA = new SpyRepo(stack.server.store);
    const repoB = new SpyRepo(stack.server.store);
    const a = reconciler(repoA, frozen(lease));
    const b = reconciler(repoB, lease);
    try {
      // A starts the sandbox; the engine holds A's start in flight.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let inStart = false;
      runtime.gate = async (op) => {
        if (op !== 'start') return;
        inStart = true;
        await held;
      };
      assert.equal(await repoA.setDesired(s.id, 'started', 'stopped', clock.now().getTime()), true);
      const aDone = a.kick(s.id);
      await until(() => inStart, "A's start reached the engine");
      const starts = () => runtime.calls.filter((c) => c === `start ${s.id}`).length;
      const before = starts();

      // B finds the lease taken and does nothing.
      await b.kick(s.id);
      assert.deepEqual(repoB.fences, [], 'B took no fence while A holds the lease');
      assert.equal(starts(), before);

      // A freezes past its lease: B's retry takes over with a newer fence.
      await clock.advance(LEASE_MS + 1_500);
      const bDone = b.kick(s.id);
      await until(() => repoB.fences.length > 0, 'B took the lease and a fence');
      assert.ok(repoB.fences[0]! > repoA.fences[0]!, 'B holds the newer fence');

      // A wakes up: its late write is refused; B finishes the start.
      runtime.gate = null;
      release();
      await Promise.all([aDone, bDone]);
      assert.ok(repoA.refused >= 1, "the frozen holder's write was refused by the fence");
      assert.equal(repoB.refused, 0);
      assert.equal((await stack.api('GET', `/sandbox/${s.id}`)).body.state, 'started');
      assert.deepEqual(runtime.running, [s.id]);
    } finally {
      runtime.gate = null;
      await Promise.allSettled([a.close(), b.close()]);
      await stack.api('DELETE', `/sandbox/${s.id}`);
    }
  });
});

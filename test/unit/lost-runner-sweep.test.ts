// A sweep over the sandboxes of a lost runner (its engine unreachable) shows
// each of them `unknown` with the reason the runner is lost, and reads that
// reason once per sweep rather than once per sandbox. In-memory engine and a
// ManualClock: no Docker, no sleeps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import { silentLogger } from '../../common/log.js';
import type { RunnerClient } from '../../common/wire/runner.js';
import { MemoryBus } from '../../orchestrator/bus/index.js';
import { MemoryLocks } from '../../orchestrator/lock/index.js';
import { Reconciler } from '../../orchestrator/sandboxes/reconciler.js';
import { SandboxRepo } from '../../orchestrator/sandboxes/repo.js';
import { SandboxService } from '../../orchestrator/sandboxes/service.js';
import { MemoryRuntime } from '../../runner/runtime/memory.js';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';

describe('sweeping the sandboxes of a lost runner', () => {
  let stack: Stack;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));

  before(async () => {
    stack = await startStack({ clock, runtime: new MemoryRuntime() });
  });
  after(async () => stack?.close());

  it('shows each unknown with the reason, read once per sweep', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 })).id as string);
    // The runner's engine does not answer: every observe is refused as unavailable.
    const gone = {
      id: stack.server.runner.id,
      observe: async () => {
        throw new AppError('unavailable', 'the runner does not answer');
      },
    } as unknown as RunnerClient;
    const asked: string[] = [];
    let reason = 'runner r1 has not been heard from since 10:00';
    const reconciler = new Reconciler({
      repo: new SandboxRepo(stack.server.store),
      runner: gone,
      runnerLost: async (id) => (asked.push(id), reason),
      locks: new MemoryLocks(clock),
      bus: new MemoryBus(),
      clock,
      log: silentLogger,
      spec: (s) => SandboxService.spec(s, s.imageConfig ?? undefined),
      busy: () => false,
      diskLimitEnforced: () => true,
      leaseMs: 15_000,
    });
    const shown = async () =>
      Promise.all(ids.map(async (id) => (await stack.api('GET', `/sandbox/${id}`)).body as Record<string, unknown>));
    try {
      await reconciler.sweep();
      for (const s of await shown()) {
        assert.equal(s.state, 'unknown', JSON.stringify(s));
        assert.equal(s.errorReason, reason);
        assert.equal(s.recoverable, true);
      }
      assert.deepEqual(asked, [stack.server.runner.id], 'one read for the three sandboxes');

      // The next sweep reads it again: a changed reason shows.
      reason = 'runner r1 has not been heard from since 10:05';
      await reconciler.sweep();
      assert.deepEqual(
        (await shown()).map((s) => s.errorReason),
        ids.map(() => reason),
      );
      assert.equal(asked.length, 2);

      // Outside a sweep, a kick reads it afresh.
      await reconciler.kick(ids[0]!);
      assert.equal(asked.length, 3);
    } finally {
      await reconciler.close();
      for (const id of ids) await stack.api('DELETE', `/sandbox/${id}`);
    }
  });
});

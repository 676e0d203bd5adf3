// One `berth runner` process per token (orchestrator/runners/instances.ts):
// two replicas sharing one lock store agree on which process holds a runner;
// another process is refused while the holder's lease lives, and may take it
// once the holder is released or its lease lapsed.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { MemoryLocks } from '../../orchestrator/lock/index.js';
import { RunnerInstances } from '../../orchestrator/runners/instances.js';

const TTL = 30_000;

it('a second process is refused on every replica while the first holds the runner', async () => {
  const clock = new ManualClock();
  const locks = new MemoryLocks(clock);
  const [a, b] = [new RunnerInstances(locks, TTL), new RunnerInstances(locks, TTL)];
  assert.equal(await a.claim('r1', 'first'), true);
  assert.equal(await b.claim('r1', 'first'), true, 'the same process on another replica');
  assert.equal(await b.claim('r1', 'twin'), false);
  assert.equal(await a.claim('r1', 'twin'), false);
  assert.equal(await a.holder('r1'), 'first');
  assert.equal(await a.claim('r2', 'twin'), true, 'another runner is another lease');
  // Heartbeats renew it past its first expiry.
  for (let i = 0; i < 4; i++) {
    await clock.advance(TTL / 2);
    assert.equal(await a.claim('r1', 'first'), true);
  }
  assert.equal(await b.claim('r1', 'twin'), false);
});

it('released by its replica, or lapsed, the runner goes to whichever process links next', async () => {
  const clock = new ManualClock();
  const locks = new MemoryLocks(clock);
  const [a, b] = [new RunnerInstances(locks, TTL), new RunnerInstances(locks, TTL)];
  assert.equal(await a.claim('r1', 'first'), true);
  await b.release('r1', 'first'); // b did not take it: nothing changes
  assert.equal(await b.claim('r1', 'restarted'), false);
  await a.release('r1', 'first');
  assert.equal(await b.claim('r1', 'restarted'), true, 'a restarted runner links at once');
  // b stops renewing (it crashed): after the timeout, a takes it for whoever dials.
  await clock.advance(TTL + 1);
  assert.equal(await a.claim('r1', 'third'), true);
  assert.equal(await b.claim('r1', 'restarted'), false, 'the lapsed holder is refused now');
  await a.close();
  assert.equal(await a.holder('r1'), null);
});

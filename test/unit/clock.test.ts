// The injected clock: ManualClock fires timers in order as a test advances
// it, and what Berth does over time (leases, activity) runs on it, so tests
// never sleep to wait for a timer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { MemoryLocks } from '../../orchestrator/lock/index.js';

describe('ManualClock', () => {
  it('fires timeouts and intervals in due order, with now() at their due time', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`t250@${clock.now().getTime()}`), 250);
    const every = clock.setInterval(() => seen.push(`i100@${clock.now().getTime()}`), 100);
    clock.setTimeout(() => seen.push('never'), 1000).clear();
    await clock.advance(99);
    assert.deepEqual(seen, []);
    await clock.advance(201);
    assert.deepEqual(seen, ['i100@100', 'i100@200', 't250@250', 'i100@300']);
    every.clear();
    await clock.advance(10_000);
    assert.equal(seen.length, 4);
    assert.equal(clock.pending, 0);
    assert.equal(clock.now().getTime(), 10_300);
  });

  it('runs the work a timer starts before the next one fires', async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setInterval(() => void Promise.resolve().then(() => seen.push(clock.now().getTime())), 10);
    await clock.advance(30);
    assert.deepEqual(seen, [10, 20, 30]);
  });

  it('sleeps until advanced, and an abort ends the sleep', async () => {
    const clock = new ManualClock(0);
    let woke = false;
    const sleeping = clock.sleep(500).then(() => (woke = true));
    await clock.advance(499);
    assert.equal(woke, false);
    await clock.advance(1);
    await sleeping;
    assert.equal(woke, true);
    const ac = new AbortController();
    const cut = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(cut, /stop/);
    assert.equal(clock.pending, 0);
  });
});

describe('in-process leases on the clock', () => {
  it('expire with time unless kept alive, and a kept-alive lease holds until released', async () => {
    const clock = new ManualClock(0);
    const locks = new MemoryLocks(clock);
    const a = await locks.acquire('k', 3000);
    assert.ok(a);
    assert.equal(await locks.acquire('k', 3000), null, 'held');
    await clock.advance(3001);
    assert.equal(await a.extend(3000), false, 'an expired lease cannot be extended');
    const b = await locks.acquire('k', 3000);
    assert.ok(b, 'an expired lease is free again');
    b.keepAlive(3000);
    await clock.advance(60_000);
    assert.equal(await locks.acquire('k', 3000), null, 'the keep-alive extends it');
    await b.release();
    assert.equal(clock.pending, 0, 'release stops the keep-alive');
    assert.ok(await locks.acquire('k', 3000));
  });
});

// The warm pool's claim on the in-memory engine: the pool fills, a matching
// create becomes one of its members (no new container; the owner's env goes
// through the daemon), a create that does not match makes its own, and the
// pool refills. No Docker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { MemoryRuntime } from '../../runner/runtime/memory.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('warm pool claims (in-memory engine)', () => {
  let stack: Stack;
  const runtime = new MemoryRuntime();
  const pool = () => stack.server.orch.warmPool;
  const create = async (body: Record<string, unknown>) => {
    const r = await stack.api('POST', '/sandbox', { autoStopInterval: 0, ...body });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'started');
    return { s: r.body, warm: r.headers.get('x-berth-warm') };
  };
  const creates = (id: string) => runtime.calls.filter((c) => c === `create ${id}`).length;

  before(async () => {
    const config = { warmPool: 2, warmPoolMaxLoad: 1000, warmPoolMinFreeMemoryPercent: 0, rateLimitCreate: 0 };
    stack = await startStack({ clock: new ManualClock(Date.UTC(2026, 0, 1)), runtime, config });
    await pool().idle();
  });
  after(async () => stack?.close());

  it('a matching create claims a ready member; the pool refills', async () => {
    const members = await pool().memberIds();
    assert.equal(members.length, 2);
    assert.deepEqual([...runtime.running].sort(), [...members].sort());
    const { s, warm } = await create({ name: 'warm-a', cpu: 1, memory: 1, disk: 2, env: { GREETING: 'hello' } });
    assert.equal(warm, 'hit');
    assert.ok(members.includes(s.id), 'the sandbox is one of the members that were ready');
    assert.equal(creates(s.id), 1, 'no container of its own: the member became the sandbox');
    assert.deepEqual(runtime.daemonEnv.get(s.id), { GREETING: 'hello' }, "the owner's env goes through the daemon");
    await pool().idle();
    const refilled = await pool().memberIds();
    assert.equal(refilled.length, 2);
    assert.ok(!refilled.includes(s.id), 'a claimed member is no longer in the pool');
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });

  it('a create the pool cannot serve makes its own container', async () => {
    await pool().idle();
    const members = await pool().memberIds();
    const { s, warm } = await create({
      name: 'warm-miss',
      cpu: 1,
      memory: 1,
      disk: 2,
      networkBlockAll: true,
      user: 'root',
    });
    assert.notEqual(warm, 'hit');
    assert.ok(!members.includes(s.id));
    assert.deepEqual((await pool().memberIds()).sort(), [...members].sort(), 'the pool is untouched');
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });
});

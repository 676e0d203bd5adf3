// Lifecycle timers on the in-memory engine with a ManualClock: auto-stop,
// auto-archive and auto-delete happen when time says so, activity resets the
// idle timer, and a container that died is an error start recovers from.
// No Docker and no sleeps: the test moves time and runs the sweep.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { MemoryRuntime } from '../../runner/runtime/memory.js';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';

describe('lifecycle timers (in-memory engine, manual clock)', () => {
  let stack: Stack;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const runtime = new MemoryRuntime();
  const state = async (id: string) => (await stack.api('GET', `/sandbox/${id}`)).body?.state;
  const sweep = () => stack.server.orch.reconciler.sweep();
  const later = async (minutes: number) => {
    await clock.advanceMinutes(minutes);
    await sweep();
  };

  before(async () => {
    stack = await startStack({ clock, runtime });
  });
  after(async () => stack?.close());

  it('auto-stops after the idle interval, activity resets it, then auto-archives', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 15, autoArchiveInterval: 60 });
    assert.deepEqual(runtime.running, [s.id]);
    await later(10);
    assert.equal(await state(s.id), 'started');
    const call = await stack.api('GET', `/toolbox/${s.id}/work-dir`); // a toolbox call at minute 10
    assert.equal(call.body.dir, '/home/sandbox', JSON.stringify(call.body));
    await later(10);
    assert.equal(await state(s.id), 'started', 'activity must reset the idle timer');
    await later(6);
    assert.equal(await state(s.id), 'stopped');
    assert.deepEqual(runtime.running, []);
    await later(59);
    assert.equal(await state(s.id), 'stopped');
    await later(2);
    assert.equal(await state(s.id), 'archived');
    assert.equal(await runtime.inspect(s.id), null, 'an archived sandbox has no container');
    const again = await stack.api('POST', `/sandbox/${s.id}/start`);
    assert.equal(again.body.state, 'started', JSON.stringify(again.body));
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });

  it('never auto-stops with autoStopInterval 0', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 0 });
    await later(60 * 24);
    assert.equal(await state(s.id), 'started');
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });

  it('auto-deletes on stop with autoDeleteInterval 0, and after the interval otherwise', async () => {
    const now = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoDeleteInterval: 0 });
    await stack.api('POST', `/sandbox/${now.id}/stop`);
    await sweep();
    assert.equal((await stack.api('GET', `/sandbox/${now.id}`)).status, 404);
    assert.equal(await runtime.inspect(now.id), null);

    const s = await createSandbox(stack, {
      cpu: 1,
      memory: 1,
      disk: 1,
      autoDeleteInterval: 30,
      autoArchiveInterval: 60,
    });
    await stack.api('POST', `/sandbox/${s.id}/stop`);
    await later(29);
    assert.equal(await state(s.id), 'stopped');
    await later(2);
    assert.equal((await stack.api('GET', `/sandbox/${s.id}`)).status, 404);
  });

  it('marks a sandbox whose container died as error, recoverable by start', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 0 });
    runtime.kill(s.id, { oomKilled: true });
    await sweep();
    const dto = (await stack.api('GET', `/sandbox/${s.id}`)).body;
    assert.equal(dto.state, 'error');
    assert.match(dto.errorReason, /stopped unexpectedly/);
    assert.equal(dto.recoverable, true);
    const again = await stack.api('POST', `/sandbox/${s.id}/start`);
    assert.equal(again.body.state, 'started', JSON.stringify(again.body));
    assert.deepEqual(runtime.running, [s.id]);
    await stack.api('DELETE', `/sandbox/${s.id}`);
    assert.deepEqual(runtime.running, []);
  });
});

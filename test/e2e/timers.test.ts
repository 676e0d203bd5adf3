// Auto-stop, auto-archive and auto-delete driven by an injected clock: the
// test advances time and runs the sweep, never sleeps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';

describe('lifecycle timers (manual clock)', () => {
  let stack: Stack;
  const clock = new ManualClock(Date.now());
  const state = async (id: string) => (await stack.api('GET', `/sandbox/${id}`)).body?.state;
  const sweep = () => stack.server.orch.reconciler.sweep();

  before(async () => {
    stack = await startStack({ clock });
  });
  after(async () => stack?.close());

  it('auto-stops after the idle interval, and activity resets it', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 15, autoArchiveInterval: 60 });
    await clock.advanceMinutes(10);
    await sweep();
    assert.equal(await state(s.id), 'started');
    await exec(stack, s.id, 'true'); // activity at minute 10
    await clock.advanceMinutes(10);
    await sweep();
    assert.equal(await state(s.id), 'started', 'activity must reset the idle timer');
    await clock.advanceMinutes(6);
    await sweep();
    assert.equal(await state(s.id), 'stopped');

    await clock.advanceMinutes(59);
    await sweep();
    assert.equal(await state(s.id), 'stopped');
    await clock.advanceMinutes(2);
    await sweep();
    assert.equal(await state(s.id), 'archived');
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });

  it('never auto-stops with autoStopInterval 0', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 0 });
    await clock.advanceMinutes(60 * 24);
    await sweep();
    assert.equal(await state(s.id), 'started');
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });

  it('auto-deletes on stop with autoDeleteInterval 0', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoDeleteInterval: 0 });
    await stack.api('POST', `/sandbox/${s.id}/stop`);
    await sweep();
    assert.equal((await stack.api('GET', `/sandbox/${s.id}`)).status, 404);
  });

  it('auto-deletes after the stopped interval, before auto-archive', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoDeleteInterval: 30, autoArchiveInterval: 60 });
    await stack.api('POST', `/sandbox/${s.id}/stop`);
    await clock.advanceMinutes(29);
    await sweep();
    assert.equal(await state(s.id), 'stopped');
    await clock.advanceMinutes(2);
    await sweep();
    assert.equal((await stack.api('GET', `/sandbox/${s.id}`)).status, 404);
  });

  it('marks a sandbox whose container died as error, recoverable by start', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 0 });
    const { containerOf } = await import('../helpers/docker.js');
    await containerOf(s.id).kill();
    await sweep();
    const dto = (await stack.api('GET', `/sandbox/${s.id}`)).body;
    assert.equal(dto.state, 'error');
    assert.match(dto.errorReason, /stopped unexpectedly/);
    assert.equal(dto.recoverable, true);
    const again = await stack.api('POST', `/sandbox/${s.id}/start`);
    assert.equal(again.body.state, 'started', JSON.stringify(again.body));
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });
});

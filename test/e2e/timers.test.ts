// The lifecycle timers (auto-stop, auto-archive, auto-delete) are unit tests
// on the in-memory engine (test/unit/lifecycle.test.ts). What only a real
// engine shows stays here: Docker killing a container is seen by the sweep.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';
import { containerOf } from '../helpers/docker.js';

describe('lifecycle timers (real engine)', () => {
  let stack: Stack;
  const clock = new ManualClock(Date.now());
  const sweep = () => stack.server.orch.reconciler.sweep();

  before(async () => {
    stack = await startStack({ clock });
  });
  after(async () => stack?.close());

  it('auto-stops an idle sandbox: the real container stops', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 15 });
    await clock.advanceMinutes(16);
    await sweep();
    assert.equal((await stack.api('GET', `/sandbox/${s.id}`)).body.state, 'stopped');
    assert.equal((await containerOf(s.id).inspect()).State.Running, false);
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });

  it('marks a sandbox whose container died as error, recoverable by start', async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 0 });
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

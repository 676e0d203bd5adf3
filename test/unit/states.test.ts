// The transitions table and the reconciler's planner, on their own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACTIONS,
  DESIRED_STATES,
  SANDBOX_STATES,
  TRANSITIONS,
  actionAllowed,
  canTransition,
  reportedState,
} from '../../orchestrator/sandboxes/states.js';
import { plan, settled } from '../../orchestrator/sandboxes/plan.js';

describe('sandbox states', () => {
  it('has exactly the Daytona wire states', () => {
    assert.deepEqual([...SANDBOX_STATES].sort(), [
      'archived',
      'archiving',
      'build_failed',
      'building_snapshot',
      'creating',
      'destroyed',
      'destroying',
      'error',
      'paused',
      'pausing',
      'pending_build',
      'pulling_snapshot',
      'resizing',
      'restoring',
      'resuming',
      'snapshotting',
      'started',
      'starting',
      'stopped',
      'stopping',
      'unknown',
    ]);
  });

  it('lists a row for every state and only known targets', () => {
    for (const s of SANDBOX_STATES) {
      assert.ok(TRANSITIONS[s], `no row for ${s}`);
      for (const t of TRANSITIONS[s]) assert.ok(SANDBOX_STATES.includes(t), `${s} -> unknown ${t}`);
    }
  });

  it('makes destroyed terminal and reachable only through destroying', () => {
    assert.deepEqual(TRANSITIONS.destroyed, []);
    for (const s of SANDBOX_STATES)
      if (s !== 'destroying' && s !== 'destroyed') assert.equal(canTransition(s, 'destroyed'), false, s);
    for (const s of SANDBOX_STATES) if (s !== 'destroyed') assert.equal(canTransition(s, 'destroying'), true, s);
  });

  it('reaches started only from in-flight states (never straight from stopped or archived)', () => {
    const into = SANDBOX_STATES.filter((s) => s !== 'started' && TRANSITIONS[s].includes('started'));
    assert.deepEqual(into.sort(), [
      'creating',
      'resizing',
      'restoring',
      'resuming',
      'snapshotting',
      'starting',
      'unknown',
    ]);
  });

  it('refuses lifecycle actions that make no sense', () => {
    assert.equal(actionAllowed('start', 'destroying'), false);
    assert.equal(actionAllowed('archive', 'started'), false);
    assert.match(ACTIONS.archive.hint('started'), /stop the sandbox first/);
    assert.equal(actionAllowed('toolbox', 'stopped'), false);
    assert.match(ACTIONS.toolbox.hint('stopped'), /start it first/);
    assert.equal(actionAllowed('delete', 'destroyed'), false);
    assert.equal(actionAllowed('delete', 'error'), true);
  });

  it('reports a pending request as its transition, like Daytona', () => {
    assert.equal(reportedState('started', 'stopped'), 'stopping');
    assert.equal(reportedState('stopped', 'started'), 'starting');
    assert.equal(reportedState('archived', 'started'), 'restoring');
    assert.equal(reportedState('stopped', 'destroyed'), 'destroying');
    assert.equal(reportedState('started', 'started'), 'started');
    assert.equal(reportedState('unknown', 'started'), 'starting', 'being looked at');
    assert.equal(reportedState('unknown', 'started', 'runner eu-1 has not been heard from'), 'unknown');
  });
});

describe('reconcile planner', () => {
  it('only ever plans transitions the table allows', () => {
    for (const s of SANDBOX_STATES) {
      for (const d of DESIRED_STATES) {
        const step = plan(s, d);
        if (!step || step.op === 'verify' || step.op === 'observe') continue;
        assert.ok(canTransition(s, step.via), `${s} -> ${step.via} (desired ${d})`);
        assert.ok(canTransition(step.via, step.to), `${step.via} -> ${step.to}`);
      }
    }
  });

  it('converges: following the plan from any state reaches the desired one', () => {
    for (const start of SANDBOX_STATES) {
      for (const d of DESIRED_STATES) {
        let s = start;
        for (let i = 0; i < 6; i++) {
          const step = plan(s, d);
          if (!step || step.op === 'verify') break;
          s = step.op === 'observe' ? 'stopped' : step.to;
        }
        // An error waits for a person; resizes and commits are not driven by this planner;
        // a deletion in progress is never redirected (requests refuse it); only a started
        // sandbox can be asked to pause; builds and pulls end in `creating`, then start.
        if (
          ['error', 'build_failed', 'resizing', 'snapshotting', 'destroying', 'destroyed'].includes(start) &&
          d !== 'destroyed'
        )
          continue;
        if (d === 'paused' && !ACTIONS.pause.from.includes(start)) continue;
        if (
          ['pending_build', 'building_snapshot', 'pulling_snapshot'].includes(start) &&
          d !== 'started' &&
          d !== 'destroyed'
        )
          continue;
        const okStates = d === 'stopped' ? ['stopped', 'archived'] : [d];
        assert.ok(okStates.includes(s), `${start} with desired ${d} ended at ${s}`);
        assert.ok(settled(s, d));
      }
    }
  });

  it('plans the obvious steps', () => {
    assert.deepEqual(plan('stopped', 'started'), { op: 'start', via: 'starting', to: 'started' });
    assert.deepEqual(plan('archived', 'started'), { op: 'start', via: 'restoring', to: 'started' });
    assert.deepEqual(plan('started', 'archived'), { op: 'stop', via: 'stopping', to: 'stopped' });
    assert.deepEqual(plan('stopped', 'archived'), { op: 'archive', via: 'archiving', to: 'archived' });
    assert.deepEqual(plan('error', 'destroyed'), { op: 'destroy', via: 'destroying', to: 'destroyed' });
    assert.equal(plan('error', 'started'), null, 'an error waits for a person');
    assert.deepEqual(plan('started', 'started'), { op: 'verify' });
    assert.deepEqual(plan('started', 'paused'), { op: 'pause', via: 'pausing', to: 'paused' });
    assert.deepEqual(plan('paused', 'started'), { op: 'resume', via: 'resuming', to: 'started' });
    assert.deepEqual(plan('paused', 'stopped'), { op: 'stop', via: 'stopping', to: 'stopped' });
    assert.deepEqual(plan('pending_build', 'started'), { op: 'build', via: 'building_snapshot', to: 'creating' });
    assert.deepEqual(plan('pulling_snapshot', 'started'), { op: 'pull', via: 'pulling_snapshot', to: 'creating' });
    assert.equal(reportedState('started', 'paused'), 'pausing');
    assert.equal(reportedState('paused', 'started'), 'resuming');
  });
});

// What the reconciler does next for a sandbox, as a pure function of its
// observed and desired state. One step at a time; the loop re-plans after each.
import type { DesiredState, SandboxState } from './states.js';

export type Step =
  | { op: 'start'; via: 'creating' | 'starting' | 'restoring'; to: 'started' }
  | { op: 'stop'; via: 'stopping'; to: 'stopped' }
  | { op: 'archive'; via: 'archiving'; to: 'archived' }
  | { op: 'destroy'; via: 'destroying'; to: 'destroyed' }
  | { op: 'pause'; via: 'pausing'; to: 'paused' }
  | { op: 'resume'; via: 'resuming'; to: 'started' }
  /** Wait for the image build of a sandbox created from a Dockerfile (pending_build while queued). */
  | { op: 'build'; via: 'building_snapshot'; to: 'creating' }
  /** Pull an image that is not on the host yet (with the organization's registry credentials). */
  | { op: 'pull'; via: 'pulling_snapshot'; to: 'creating' }
  /** State is not known (after an error was cleared, or a lost write): ask the runner. */
  | { op: 'observe' }
  /** Settled as started: make sure the runner still has it attached and alive. */
  | { op: 'verify' };

export function plan(state: SandboxState, desired: DesiredState): Step | null {
  if (desired === 'destroyed')
    return state === 'destroyed' ? null : { op: 'destroy', via: 'destroying', to: 'destroyed' };
  if (state === 'unknown') return { op: 'observe' };
  if (state === 'destroying') return { op: 'destroy', via: 'destroying', to: 'destroyed' };
  switch (desired) {
    case 'paused':
      switch (state) {
        case 'started':
        case 'pausing':
          return { op: 'pause', via: 'pausing', to: 'paused' };
        default:
          return null;
      }
    case 'started':
      switch (state) {
        case 'pending_build':
        case 'building_snapshot':
          return { op: 'build', via: 'building_snapshot', to: 'creating' };
        case 'pulling_snapshot':
          return { op: 'pull', via: 'pulling_snapshot', to: 'creating' };
        case 'paused':
        case 'pausing':
        case 'resuming':
          return { op: 'resume', via: 'resuming', to: 'started' };
        case 'creating':
          return { op: 'start', via: 'creating', to: 'started' };
        case 'starting':
        case 'stopped':
          return { op: 'start', via: 'starting', to: 'started' };
        case 'restoring':
        case 'archived':
          return { op: 'start', via: 'restoring', to: 'started' };
        case 'stopping':
          return { op: 'stop', via: 'stopping', to: 'stopped' };
        case 'archiving':
          return { op: 'archive', via: 'archiving', to: 'archived' };
        case 'started':
          return { op: 'verify' };
        default:
          return null;
      }
    case 'stopped':
      switch (state) {
        case 'paused':
        case 'pausing':
        case 'resuming':
        case 'creating':
        case 'starting':
        case 'restoring':
        case 'started':
        case 'stopping':
          return { op: 'stop', via: 'stopping', to: 'stopped' };
        case 'archiving':
          return { op: 'archive', via: 'archiving', to: 'archived' };
        default:
          return null;
      }
    case 'archived':
      switch (state) {
        case 'paused':
        case 'pausing':
        case 'resuming':
        case 'creating':
        case 'starting':
        case 'restoring':
        case 'started':
        case 'stopping':
          return { op: 'stop', via: 'stopping', to: 'stopped' };
        case 'stopped':
        case 'archiving':
          return { op: 'archive', via: 'archiving', to: 'archived' };
        default:
          return null;
      }
  }
}

/** Whether the reconciler has nothing left to do (error waits for a person). */
export function settled(state: SandboxState, desired: DesiredState): boolean {
  const p = plan(state, desired);
  return p === null || p.op === 'verify';
}

// The sandbox state machine in one place: the state set (Daytona wire values),
// the allowed observed transitions, and which user actions each state accepts.

export const SANDBOX_STATES = [
  'creating',
  'pending_build',
  'building_snapshot',
  'pulling_snapshot',
  'starting',
  'started',
  'stopping',
  'stopped',
  'archiving',
  'archived',
  'restoring',
  'resizing',
  'destroying',
  'destroyed',
  'error',
  'build_failed',
  'unknown',
] as const;
export type SandboxState = (typeof SANDBOX_STATES)[number];

export const DESIRED_STATES = ['started', 'stopped', 'archived', 'destroyed'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** Observed transitions the reconciler may write. Anything else is a bug. */
export const TRANSITIONS: Readonly<Record<SandboxState, readonly SandboxState[]>> = {
  creating: ['started', 'stopping', 'destroying', 'error', 'unknown'],
  pending_build: ['building_snapshot', 'pulling_snapshot', 'creating', 'build_failed', 'error', 'destroying'],
  building_snapshot: ['creating', 'build_failed', 'error', 'destroying'],
  pulling_snapshot: ['creating', 'error', 'destroying'],
  starting: ['started', 'stopping', 'destroying', 'error', 'unknown'],
  started: ['stopping', 'destroying', 'resizing', 'error', 'unknown'],
  stopping: ['stopped', 'destroying', 'error', 'unknown'],
  stopped: ['starting', 'archiving', 'resizing', 'destroying', 'error', 'unknown'],
  archiving: ['archived', 'destroying', 'error', 'unknown'],
  archived: ['restoring', 'destroying', 'error', 'unknown'],
  restoring: ['started', 'stopping', 'destroying', 'error', 'unknown'],
  resizing: ['started', 'stopped', 'destroying', 'error', 'unknown'],
  destroying: ['destroyed', 'error'],
  destroyed: [],
  error: ['starting', 'restoring', 'stopping', 'destroying', 'unknown'],
  build_failed: ['destroying'],
  unknown: ['creating', 'starting', 'started', 'stopping', 'stopped', 'archived', 'restoring', 'destroying', 'error'],
};

export const canTransition = (from: SandboxState, to: SandboxState): boolean => from === to || TRANSITIONS[from].includes(to);

/** States in which nothing is in flight. */
export const STABLE_STATES: readonly SandboxState[] = ['started', 'stopped', 'archived', 'destroyed', 'error', 'build_failed'];

export type SandboxAction = 'start' | 'stop' | 'archive' | 'delete' | 'update' | 'toolbox';

interface ActionRule {
  /** States that accept the action (the request then sets the desired state). */
  from: readonly SandboxState[];
  /** What to tell the caller otherwise. */
  hint: (state: SandboxState) => string;
}

const NOT_GONE = SANDBOX_STATES.filter((s) => s !== 'destroying' && s !== 'destroyed');

export const ACTIONS: Readonly<Record<SandboxAction, ActionRule>> = {
  start: {
    from: ['creating', 'starting', 'started', 'stopping', 'stopped', 'archiving', 'archived', 'restoring', 'error', 'unknown'],
    hint: (s) => (s === 'destroying' || s === 'destroyed' ? 'the sandbox is being deleted; create a new one' : `a sandbox that is ${s} cannot be started; wait for it to settle`),
  },
  stop: {
    from: ['creating', 'starting', 'started', 'stopping', 'stopped', 'restoring', 'error', 'unknown', 'archived', 'archiving'],
    hint: (s) => (s === 'destroying' || s === 'destroyed' ? 'the sandbox is being deleted' : `a sandbox that is ${s} cannot be stopped now; wait for it to settle`),
  },
  archive: {
    from: ['stopped', 'archiving', 'archived'],
    hint: (s) => (s === 'started' || s === 'starting' ? 'stop the sandbox first, then archive it' : `a sandbox that is ${s} cannot be archived`),
  },
  delete: {
    from: SANDBOX_STATES.filter((s) => s !== 'destroyed'),
    hint: () => 'the sandbox is already deleted',
  },
  update: {
    from: NOT_GONE,
    hint: () => 'the sandbox is being deleted',
  },
  toolbox: {
    from: ['started'],
    hint: (s) =>
      s === 'stopped' || s === 'archived' || s === 'error'
        ? `the sandbox is ${s} — start it first (POST /api/sandbox/{id}/start, sandbox_start, or \`berth sandbox start\`)`
        : `the sandbox is ${s}; wait until it is started`,
  },
};

export const actionAllowed = (action: SandboxAction, state: SandboxState): boolean => ACTIONS[action].from.includes(state);

/** Desired state each lifecycle action asks for. */
export const ACTION_TARGET: Partial<Record<SandboxAction, DesiredState>> = {
  start: 'started',
  stop: 'stopped',
  archive: 'archived',
  delete: 'destroyed',
};

/**
 * The state clients see: between a request and the reconciler picking it up,
 * a settled state with a different desired state reads as the transition
 * (Daytona reports stored `started` + desired `stopped` as `stopping`).
 */
export function reportedState(state: SandboxState, desired: DesiredState): SandboxState {
  if (desired === 'destroyed') return state === 'destroyed' ? state : 'destroying';
  if (state === 'started' && (desired === 'stopped' || desired === 'archived')) return 'stopping';
  if (state === 'stopped' && desired === 'started') return 'starting';
  if (state === 'stopped' && desired === 'archived') return 'archiving';
  if (state === 'archived' && desired === 'started') return 'restoring';
  if (state === 'unknown') return desired === 'started' ? 'starting' : 'stopping';
  return state;
}

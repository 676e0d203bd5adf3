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
  'snapshotting',
  'pausing',
  'paused',
  'resuming',
  'destroying',
  'destroyed',
  'error',
  'build_failed',
  'unknown',
] as const;
export type SandboxState = (typeof SANDBOX_STATES)[number];

export const DESIRED_STATES = ['started', 'stopped', 'archived', 'paused', 'destroyed'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** Observed transitions the reconciler may write. Anything else is a bug. */
export const TRANSITIONS: Readonly<Record<SandboxState, readonly SandboxState[]>> = {
  creating: ['started', 'stopping', 'destroying', 'error', 'unknown'],
  pending_build: ['building_snapshot', 'pulling_snapshot', 'creating', 'build_failed', 'error', 'destroying'],
  building_snapshot: ['creating', 'build_failed', 'error', 'destroying'],
  pulling_snapshot: ['creating', 'error', 'destroying'],
  starting: ['started', 'stopping', 'destroying', 'error', 'unknown'],
  started: ['stopping', 'destroying', 'resizing', 'snapshotting', 'pausing', 'error', 'unknown'],
  stopping: ['stopped', 'destroying', 'error', 'unknown'],
  stopped: ['starting', 'archiving', 'resizing', 'snapshotting', 'destroying', 'error', 'unknown'],
  snapshotting: ['started', 'stopped', 'destroying', 'error', 'unknown'],
  pausing: ['paused', 'resuming', 'stopping', 'destroying', 'error', 'unknown'],
  paused: ['resuming', 'stopping', 'destroying', 'error', 'unknown'],
  resuming: ['started', 'stopping', 'pausing', 'destroying', 'error', 'unknown'],
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

export const canTransition = (from: SandboxState, to: SandboxState): boolean =>
  from === to || TRANSITIONS[from].includes(to);

/** States in which nothing is in flight. */
export const STABLE_STATES: readonly SandboxState[] = [
  'started',
  'stopped',
  'archived',
  'paused',
  'destroyed',
  'error',
  'build_failed',
];

export type SandboxAction = 'start' | 'stop' | 'archive' | 'pause' | 'delete' | 'update' | 'toolbox' | 'snapshot';

interface ActionRule {
  /** States that accept the action (the request then sets the desired state). */
  from: readonly SandboxState[];
  /** What to tell the caller otherwise. */
  hint: (state: SandboxState) => string;
}

const NOT_GONE = SANDBOX_STATES.filter((s) => s !== 'destroying' && s !== 'destroyed');

export const ACTIONS: Readonly<Record<SandboxAction, ActionRule>> = {
  start: {
    from: [
      'creating',
      'starting',
      'started',
      'stopping',
      'stopped',
      'archiving',
      'archived',
      'restoring',
      'pausing',
      'paused',
      'resuming',
      'error',
      'unknown',
    ],
    hint: (s) =>
      s === 'destroying' || s === 'destroyed'
        ? 'the sandbox is being deleted; create a new one'
        : `a sandbox that is ${s} cannot be started; wait for it to settle`,
  },
  stop: {
    from: [
      'creating',
      'starting',
      'started',
      'stopping',
      'stopped',
      'restoring',
      'pausing',
      'paused',
      'resuming',
      'error',
      'unknown',
      'archived',
      'archiving',
    ],
    hint: (s) =>
      s === 'destroying' || s === 'destroyed'
        ? 'the sandbox is being deleted'
        : `a sandbox that is ${s} cannot be stopped now; wait for it to settle`,
  },
  archive: {
    from: ['stopped', 'archiving', 'archived'],
    hint: (s) =>
      s === 'started' || s === 'starting'
        ? 'stop the sandbox first, then archive it'
        : `a sandbox that is ${s} cannot be archived`,
  },
  pause: {
    from: ['started', 'pausing', 'paused'],
    hint: (s) =>
      s === 'stopped' || s === 'archived'
        ? 'a stopped sandbox uses no CPU or memory already; start it to use it'
        : `a sandbox that is ${s} cannot be paused; wait until it is started`,
  },
  snapshot: {
    from: ['started', 'stopped'],
    hint: (s) =>
      s === 'archived'
        ? 'start the sandbox first: an archived sandbox has no container to commit'
        : `a sandbox that is ${s} cannot be snapshotted now; wait until it is started or stopped`,
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
      s === 'stopped' || s === 'archived' || s === 'error' || s === 'paused'
        ? `the sandbox is ${s} — start it first (POST /api/sandbox/{id}/start, sandbox_start, or \`berth sandbox start\`)`
        : `the sandbox is ${s}; wait until it is started`,
  },
};

export const actionAllowed = (action: SandboxAction, state: SandboxState): boolean =>
  ACTIONS[action].from.includes(state);

/** Desired state each lifecycle action asks for. */
export const ACTION_TARGET: Partial<Record<SandboxAction, DesiredState>> = {
  start: 'started',
  stop: 'stopped',
  archive: 'archived',
  pause: 'paused',
  delete: 'destroyed',
};

/**
 * The state clients see: between a request and the reconciler picking it up,
 * a settled state with a different desired state reads as the transition
 * (Daytona reports stored `started` + desired `stopped` as `stopping`).
 */
export function reportedState(state: SandboxState, desired: DesiredState, errorReason?: string | null): SandboxState {
  if (desired === 'destroyed') return state === 'destroyed' ? state : 'destroying';
  if (state === 'started' && (desired === 'stopped' || desired === 'archived')) return 'stopping';
  if (state === 'stopped' && desired === 'started') return 'starting';
  if (state === 'stopped' && desired === 'archived') return 'archiving';
  if (state === 'archived' && desired === 'started') return 'restoring';
  if (state === 'started' && desired === 'paused') return 'pausing';
  if (state === 'paused' && desired === 'started') return 'resuming';
  if (state === 'paused' && (desired === 'stopped' || desired === 'archived')) return 'stopping';
  // Unknown for a stated reason (its runner is lost) is shown as it is; otherwise it is being looked at.
  if (state === 'unknown') return errorReason ? 'unknown' : desired === 'started' ? 'starting' : 'stopping';
  return state;
}

// The embedded runner of an API-only replica (BERTH_LOCAL_RUNNER=false): there
// is none. This stands in for it so the orchestrator keeps one shape: it
// reports no engine (placement leaves it out), lists nothing, and refuses
// every other call with one error that names the setting, instead of a Docker
// socket error. What can be done through remote runners is routed there
// before it gets here (router.ts, linked-images.ts).
import { AppError } from '../../common/errors.js';
import type { RunnerClient, RunnerHealth, SandboxDaemon } from '../../common/wire/runner.js';

export const NO_LOCAL_RUNNER = 'NO_LOCAL_RUNNER';

/** The refusal of something only a replica with its own Docker engine can do. */
export const noLocalRunner = (what: string): AppError =>
  new AppError('failed_precondition', `${what} needs a Docker engine beside the API, and this replica has none`, {
    hint:
      'this replica runs with BERTH_LOCAL_RUNNER=false (API-only): send the request to a replica started ' +
      'without it, or see docs/scale-out.md for what an API-only replica does',
    reason: NO_LOCAL_RUNNER,
    recoverable: false,
  });

const refuse = (what: string) => (): Promise<never> => Promise.reject(noLocalRunner(what));

export class NoLocalRunner implements RunnerClient {
  /** `id` is the id the embedded runner would have had: rows keyed by it simply find nothing. */
  constructor(readonly id: string) {}

  /** Nothing is broken: there is no engine by design (Orchestrator.health says API-only). */
  async health(): Promise<RunnerHealth> {
    return { ok: true };
  }
  engineInfo = () => undefined;
  async listSandboxIds(): Promise<string[]> {
    return [];
  }
  async close(): Promise<void> {}

  forkImageRef(): string {
    throw noLocalRunner('forking a sandbox');
  }
  daemon(): SandboxDaemon {
    // Every daemon call is async: each rejects with the same refusal.
    return new Proxy({} as SandboxDaemon, {
      get: (_, prop) => (prop === 'then' ? undefined : refuse('reaching a sandbox on the embedded runner')),
    });
  }

  inspectImage: RunnerClient['inspectImage'] = refuse('reading an image on this host');
  observe: RunnerClient['observe'] = refuse('a sandbox on the embedded runner');
  ensureStarted: RunnerClient['ensureStarted'] = refuse('starting a sandbox on the embedded runner');
  ensureStopped: RunnerClient['ensureStopped'] = refuse('a sandbox on the embedded runner');
  ensureArchived: RunnerClient['ensureArchived'] = refuse('a sandbox on the embedded runner');
  adoptArchive: RunnerClient['adoptArchive'] = refuse("taking over a lost runner's archive");
  readArchive: RunnerClient['readArchive'] = refuse('a sandbox archive on the embedded runner');
  writeArchive: RunnerClient['writeArchive'] = refuse('a sandbox archive on the embedded runner');
  ensureDestroyed: RunnerClient['ensureDestroyed'] = refuse('a sandbox on the embedded runner');
  applyNetworkPolicy: RunnerClient['applyNetworkPolicy'] = refuse('a sandbox on the embedded runner');
  resize: RunnerClient['resize'] = refuse('a sandbox on the embedded runner');
  createVolume: RunnerClient['createVolume'] = refuse('a volume (volumes are stored on the API host)');
  removeVolume: RunnerClient['removeVolume'] = refuse('a volume (volumes are stored on the API host)');
  diskUsage: RunnerClient['diskUsage'] = refuse('a sandbox on the embedded runner');
  ensurePaused: RunnerClient['ensurePaused'] = refuse('a sandbox on the embedded runner');
  ensureResumed: RunnerClient['ensureResumed'] = refuse('a sandbox on the embedded runner');
  commitSandbox: RunnerClient['commitSandbox'] = refuse(
    'a snapshot or fork of a sandbox (images are kept on the API host)',
  );
  buildImage: RunnerClient['buildImage'] = refuse('building an image');
  pullImage: RunnerClient['pullImage'] = refuse('pulling an image');
  checkImage: RunnerClient['checkImage'] = refuse('checking an image in its registry');
  removeImage: RunnerClient['removeImage'] = refuse('removing an image from this host');
  listImages: RunnerClient['listImages'] = refuse('listing the images of this host');
  saveImage: RunnerClient['saveImage'] = refuse('sending an image from this host');
  loadImage: RunnerClient['loadImage'] = refuse('loading an image on this host');
  pushImage: RunnerClient['pushImage'] = refuse('pushing an image to the cluster registry');
  pullImageAs: RunnerClient['pullImageAs'] = refuse('pulling an image from the cluster registry');
  stats: RunnerClient['stats'] = refuse('a sandbox on the embedded runner');
  logs: RunnerClient['logs'] = refuse('a sandbox on the embedded runner');
}

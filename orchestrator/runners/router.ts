// The RunnerClient the orchestrator drives: each call about one sandbox goes
// to the runner it was placed on (the embedded runner, or a remote one over
// its link); calls about the host itself (images, volumes, engine facts) go
// to the embedded runner, whose engine is the source of images for the rest (on an
// API-only replica, to the linked runners: linked-images.ts).
// Where each sandbox lives is read from the store once and kept; a sandbox
// moved to another runner (mover.ts) is announced to every replica (`moved`).
import type { EngineInfo, RunnerClient, SandboxDaemon, SandboxRuntimeSpec } from '../../common/wire/runner.js';
import type { LinkedImages } from './linked-images.js';
import { noLocalRunner } from './no-local-runner.js';

export interface RunnerRouterDeps {
  local: RunnerClient;
  /** A remote runner by its registry id (its calls fail `unavailable` while it is not linked here). */
  remote(runnerId: string): RunnerClient;
  /** Remote runners linked to this replica now. */
  linked(): string[];
  /** The runner a sandbox was placed on; null for ids with no sandbox row (warm-pool members are local). */
  runnerOf(sandboxId: string): Promise<string | null>;
  /** Makes an image present on a remote runner before a sandbox starts there. */
  images?: { ensure(target: RunnerClient, ref: string, onProgress?: (line: string) => void): Promise<void> };
  /** Progress of an image sent to a runner for a sandbox's start. */
  onImageProgress?: (progress: { organizationId: string; sandboxId: string; line: string }) => void;
  /**
   * An API-only replica (BERTH_LOCAL_RUNNER=false): `local` refuses every call, so it is not
   * reachable, and what linked runners can answer about images and engines goes to them.
   */
  apiOnly?: { images: LinkedImages; engine(): EngineInfo | undefined };
}

/** Kept placements beyond this are dropped wholesale (a re-read each is cheap). */
const MAX_KEPT = 50_000;

export class RunnerRouter implements RunnerClient {
  private readonly placed = new Map<string, string>();

  constructor(private readonly d: RunnerRouterDeps) {}

  get id(): string {
    return this.d.local.id;
  }

  /** A runner by id: the embedded one, or a remote one. */
  runner(runnerId: string): RunnerClient {
    return runnerId === this.d.local.id ? this.d.local : this.d.remote(runnerId);
  }

  /** The runners this replica drives now: the embedded one and those linked here. */
  reachable(): RunnerClient[] {
    const remote = this.d.linked().map((id) => this.d.remote(id));
    return this.d.apiOnly ? remote : [this.d.local, ...remote];
  }

  /** The sandbox lives on `runnerId` from now on. */
  moved(sandboxId: string, runnerId: string): void {
    if (this.placed.has(sandboxId)) this.placed.set(sandboxId, runnerId);
  }

  private async of(sandboxId: string): Promise<RunnerClient> {
    let runnerId = this.placed.get(sandboxId);
    if (runnerId === undefined) {
      const found = await this.d.runnerOf(sandboxId);
      if (found === null) return this.d.local;
      if (this.placed.size >= MAX_KEPT) this.placed.clear();
      this.placed.set(sandboxId, (runnerId = found));
    }
    return this.runner(runnerId);
  }

  private routed<A extends [string, ...unknown[]], R>(f: (r: RunnerClient, ...a: A) => Promise<R>) {
    return async (...a: A): Promise<R> => f(await this.of(a[0]), ...a);
  }

  // Calls about the host: the embedded runner's.
  health: RunnerClient['health'] = () => this.d.local.health();
  engineInfo: RunnerClient['engineInfo'] = () => (this.d.apiOnly ? this.d.apiOnly.engine() : this.d.local.engineInfo());
  inspectImage: RunnerClient['inspectImage'] = (ref) =>
    this.d.apiOnly ? this.d.apiOnly.images.inspectImage(ref) : this.d.local.inspectImage(ref);
  createVolume: RunnerClient['createVolume'] = (...a) => this.d.local.createVolume(...a);
  removeVolume: RunnerClient['removeVolume'] = (id) => this.d.local.removeVolume(id);
  listSandboxIds: RunnerClient['listSandboxIds'] = () => this.d.local.listSandboxIds();
  forkImageRef: RunnerClient['forkImageRef'] = (id) => this.d.local.forkImageRef(id);
  buildImage: RunnerClient['buildImage'] = (...a) => this.d.local.buildImage(...a);
  pullImage: RunnerClient['pullImage'] = (...a) => this.d.local.pullImage(...a);
  checkImage: RunnerClient['checkImage'] = (...a) =>
    this.d.apiOnly ? this.d.apiOnly.images.checkImage(...a) : this.d.local.checkImage(...a);
  removeImage: RunnerClient['removeImage'] = (ref) => this.d.local.removeImage(ref);
  listImages: RunnerClient['listImages'] = (labels) => this.d.local.listImages(labels);
  saveImage: RunnerClient['saveImage'] = (ref) => this.d.local.saveImage(ref);
  loadImage: RunnerClient['loadImage'] = (...a) => this.d.local.loadImage(...a);
  pushImage: RunnerClient['pushImage'] = (...a) => this.d.local.pushImage(...a);
  pullImageAs: RunnerClient['pullImageAs'] = (...a) => this.d.local.pullImageAs(...a);
  adoptArchive: RunnerClient['adoptArchive'] = (...a) => this.d.local.adoptArchive(...a);

  // Calls about one sandbox: its runner's.
  observe = this.routed((r, id: string) => r.observe(id));
  ensureStopped = this.routed((r, id: string) => r.ensureStopped(id));
  ensureArchived = this.routed((r, id: string) => r.ensureArchived(id));
  readArchive = this.routed((r, id: string) => r.readArchive(id));
  writeArchive = this.routed((r, id: string, tar: Parameters<RunnerClient['writeArchive']>[1]) =>
    r.writeArchive(id, tar),
  );
  ensurePaused = this.routed((r, id: string) => r.ensurePaused(id));
  ensureResumed = this.routed((r, id: string) => r.ensureResumed(id));
  diskUsage = this.routed((r, id: string) => r.diskUsage(id));
  stats = this.routed((r, id: string) => r.stats(id));
  logs = this.routed((r, id: string, o: Parameters<RunnerClient['logs']>[1]) => r.logs(id, o));
  applyNetworkPolicy = this.routed((r, id: string, p: Parameters<RunnerClient['applyNetworkPolicy']>[1]) =>
    r.applyNetworkPolicy(id, p),
  );
  resize = this.routed((r, id: string, l: Parameters<RunnerClient['resize']>[1]) => r.resize(id, l));
  commitSandbox = this.routed(async (r, id: string, ref: string, labels: Record<string, string>) => {
    // The image would have to come back to an engine beside the API: refused before anything is committed.
    if (this.d.apiOnly) throw noLocalRunner('a snapshot or fork of a sandbox (their images are kept on the API host)');
    const made = await r.commitSandbox(id, ref, labels);
    if (r !== this.d.local) {
      // Snapshots and forks are looked for on the API host's engine, the source of images for every runner.
      await this.d.local.loadImage(await r.saveImage(ref));
      await r.removeImage(ref).catch(() => {});
    }
    return made;
  });

  async ensureStarted(spec: SandboxRuntimeSpec): Promise<void> {
    const r = await this.of(spec.sandboxId);
    if (r !== this.d.local)
      await this.d.images?.ensure(r, spec.image, (line) =>
        this.d.onImageProgress?.({ organizationId: spec.organizationId, sandboxId: spec.sandboxId, line }),
      );
    await r.ensureStarted(spec);
  }

  async ensureDestroyed(sandboxId: string): Promise<void> {
    await (await this.of(sandboxId)).ensureDestroyed(sandboxId);
    this.placed.delete(sandboxId);
  }

  daemon(sandboxId: string): SandboxDaemon {
    const known = this.placed.get(sandboxId);
    if (known !== undefined) return this.runner(known).daemon(sandboxId);
    const daemon = this.of(sandboxId).then((r) => r.daemon(sandboxId));
    daemon.catch(() => {});
    // Every daemon call is async: each waits for the sandbox's runner first.
    return new Proxy({} as SandboxDaemon, {
      get: (_, prop) =>
        prop === 'then'
          ? undefined
          : (...a: unknown[]) =>
              daemon.then((d) => (d[prop as keyof SandboxDaemon] as (...x: unknown[]) => unknown).apply(d, a)),
    });
  }

  async close(): Promise<void> {
    await this.d.local.close();
  }
}

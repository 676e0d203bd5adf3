// Image builds: from a Dockerfile (and the contexts the SDK uploaded) to an
// image on the runner's engine. Builds queue per organization (a bounded
// number run at once), run with the build caps and timeout, write their output
// to the build log, and end `done` or `failed` with the reason. A dynamic image
// (sandbox create with an Image) is content-addressed: the same Dockerfile and
// contexts reuse the finished image.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import type { ImageConfig, RegistryCredentials, RunnerClient } from '../../common/wire/runner.js';
import type { Bus } from '../bus/index.js';
import type { Store } from '../store/db.js';
import { BUILD_STATE_TOPIC, BuildLogWriter } from './build-logs.js';
import { BuildRepo, toBuild, type BuildOutcome, type BuildRow } from './builds-repo.js';

export type BuildState = 'pending' | 'building' | 'done' | 'failed';
export type BuildKind = 'snapshot' | 'dynamic';

export interface Build {
  id: string;
  organizationId: string;
  hash: string;
  kind: BuildKind;
  dockerfile: string;
  contextHashes: string[];
  imageRef: string;
  state: BuildState;
  errorReason: string | null;
  size: number | null;
  imageConfig: ImageConfig | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Where uploaded build contexts are read from (the object store). */
export interface ContextSource {
  exists(organizationId: string, hash: string): Promise<boolean>;
  open(organizationId: string, hash: string): Promise<Readable>;
}

export interface BuildServiceDeps {
  store: Store;
  bus: Bus;
  runner: RunnerClient;
  clock: Clock;
  config: Config;
  log: Logger;
  contexts: ContextSource;
  /** Credentials of the organization's registries (for private base images). */
  registryAuth(organizationId: string): Promise<RegistryCredentials[]>;
  /** Why this server builds nothing (an API-only replica): every build is refused with it before anything is written. */
  refused?: AppError;
}

export const HASH_RE = /^[0-9a-f]{32}$/;
export const isTerminal = (s: BuildState) => s === 'done' || s === 'failed';

export class BuildService {
  private readonly active = new Map<string, AbortController>();
  private readonly runningPerOrg = new Map<string, number>();
  private readonly queue: string[] = [];
  /** Queued builds whose row is being read by a pump right now. */
  private readonly claimed = new Set<string>();
  private closed = false;

  private readonly builds: BuildRepo;

  constructor(private readonly d: BuildServiceDeps) {
    this.builds = new BuildRepo(d.store);
  }

  async get(id: string): Promise<Build | null> {
    return this.builds.get(id);
  }

  /** Image reference of a build: namespaced by runner, so two installs on one engine never share tags. */
  private ref(kind: BuildKind, id: string): string {
    return `berth-img/${this.d.runner.id}:${kind}-${id}`;
  }

  static hashOf(dockerfile: string, contextHashes: string[]): string {
    return createHash('sha256').update(dockerfile).update('\0').update(contextHashes.join(',')).digest('hex');
  }

  /** Checks a Dockerfile and its contexts before anything is stored. */
  async validate(organizationId: string, dockerfile: string, contextHashes: string[]): Promise<void> {
    if (this.d.refused) throw this.d.refused;
    if (!/^\s*FROM\s+\S+/im.test(dockerfile)) {
      throw new AppError('invalid_argument', 'the Dockerfile has no FROM line', {
        hint: 'start it with FROM <base image>, e.g. Image.base("berth/sandbox-base:latest")',
        reason: 'DOCKERFILE_INVALID',
      });
    }
    for (const h of contextHashes) {
      if (!HASH_RE.test(h))
        throw new AppError('invalid_argument', `context hash ${h} is not an md5 hex string`, {
          hint: 'send the hashes the SDK returns for uploaded contexts',
        });
      if (!(await this.d.contexts.exists(organizationId, h))) {
        throw new AppError('invalid_argument', `build context ${h} was not uploaded`, {
          hint: 'upload it through the object store first (GET /api/object-storage/push-access; the SDK does this for Image.addLocalFile/addLocalDir)',
        });
      }
    }
  }

  /**
   * A build for `dockerfile`. Dynamic builds reuse a finished (or running)
   * build of the same content whose image still exists; snapshot builds are
   * always new (a snapshot owns its image).
   */
  async request(
    organizationId: string,
    kind: BuildKind,
    dockerfile: string,
    contextHashes: string[],
    imageRef?: string,
  ): Promise<Build & { reused: boolean }> {
    if (this.d.refused) throw this.d.refused;
    const hash = BuildService.hashOf(dockerfile, contextHashes);
    const now = this.d.clock.now().getTime();
    if (kind === 'dynamic') {
      const prior = await this.builds.latestOf(organizationId, hash, kind);
      if (prior && (prior.state !== 'done' || (await this.d.runner.inspectImage(prior.imageRef)))) {
        await this.builds.markUsed(prior.id, now);
        return { ...prior, reused: true };
      }
    }
    const id = newId();
    const row: BuildRow = {
      id,
      organization_id: organizationId,
      hash,
      kind,
      dockerfile,
      context_hashes: contextHashes.length ? JSON.stringify(contextHashes) : null,
      image_ref: imageRef ?? this.ref(kind, id),
      state: 'pending',
      error_reason: null,
      size: null,
      image_config: null,
      created_at: now,
      updated_at: now,
      last_used_at: now,
    };
    await this.builds.insert(row);
    this.queue.push(id);
    this.pump();
    return { ...toBuild(row), reused: false };
  }

  /** Starts queued builds while their organization has a free slot. */
  private pump(): void {
    if (this.closed) return;
    for (const id of [...this.queue]) {
      if (this.claimed.has(id) || this.active.has(id)) continue;
      this.claimed.add(id);
      void this.builds
        .get(id)
        .then((r) => {
          if (!r || r.state !== 'pending') {
            this.dequeue(id);
            return;
          }
          const n = this.runningPerOrg.get(r.organizationId) ?? 0;
          if (n >= this.d.config.buildConcurrency) return; // waits for a slot
          this.dequeue(id);
          this.runningPerOrg.set(r.organizationId, n + 1);
          const ac = new AbortController();
          this.active.set(id, ac);
          void this.run(r, ac).finally(() => {
            this.active.delete(id);
            this.runningPerOrg.set(r.organizationId, (this.runningPerOrg.get(r.organizationId) ?? 1) - 1);
            this.pump();
          });
        })
        .catch((e: Error) => this.d.log.warn('could not start a build', { buildId: id, error: e.message }))
        .finally(() => this.claimed.delete(id));
    }
  }

  private dequeue(id: string): void {
    const i = this.queue.indexOf(id);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private async setState(b: Build, state: BuildState, fields: BuildOutcome = {}): Promise<void> {
    await this.builds.setState(b.id, state, this.d.clock.now().getTime(), fields);
    await this.d.bus.publish(BUILD_STATE_TOPIC, { buildId: b.id, state }).catch(() => {});
  }

  private async run(b: Build, ac: AbortController): Promise<void> {
    const log = new BuildLogWriter(this.d.store, this.d.bus, b.id);
    const c = this.d.config;
    const timeout = this.d.clock.setTimeout(
      () =>
        ac.abort(
          new AppError('timeout', `the build took longer than ${c.buildTimeoutMinutes} minutes and was stopped`, {
            hint: 'make the build faster, or raise BERTH_BUILD_TIMEOUT_MINUTES',
            reason: 'BUILD_TIMEOUT',
          }),
        ),
      c.buildTimeoutMinutes * 60_000,
    );
    try {
      await this.setState(b, 'building');
      log.write(
        `Building ${b.kind === 'dynamic' ? 'the sandbox image' : 'the snapshot image'} with the engine's builder (cpu ${c.buildCpu}, memory ${c.buildMemoryGiB} GiB)\n`,
      );
      const { size } = await this.d.runner.buildImage(
        {
          tag: b.imageRef,
          dockerfile: b.dockerfile,
          contexts: b.contextHashes.map((h) => () => this.d.contexts.open(b.organizationId, h)),
          contextLimitBytes: c.buildContextLimitBytes,
          cpu: c.buildCpu,
          memoryGiB: c.buildMemoryGiB,
          auth: await this.d.registryAuth(b.organizationId),
          cacheFrom: await this.cacheFrom(b.organizationId),
          signal: ac.signal,
        },
        (text) => log.write(text),
      );
      const config = await this.d.runner.inspectImage(b.imageRef);
      log.write(`Built ${b.imageRef}\n`);
      await log.flush();
      await this.setState(b, 'done', { size, image_config: config ? JSON.stringify(config) : null });
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('internal', (e as Error).message);
      log.write(`\nBuild failed: ${err.message}\n`);
      await log.flush();
      await this.setState(b, 'failed', { error_reason: err.hint ? `${err.message} — ${err.hint}` : err.message });
      await this.d.runner.removeImage(b.imageRef).catch(() => {});
    } finally {
      timeout.clear();
    }
  }

  /**
   * Images this organization built before, newest first: the engine's layer
   * cache is shared by everyone on it, so builds reuse only their own
   * organization's layers (plus a name that never exists, so the list is
   * never empty — an empty one means the whole cache).
   */
  private async cacheFrom(organizationId: string): Promise<string[]> {
    const refs = await this.builds.doneImageRefs(organizationId);
    return [...refs, `berth-img/${this.d.runner.id}:no-cache-${organizationId}`];
  }

  /** Stops a queued or running build; it ends failed and leaves no image behind. */
  async cancel(id: string, reason = 'the build was cancelled'): Promise<void> {
    this.dequeue(id);
    const ac = this.active.get(id);
    if (ac) {
      ac.abort(new AppError('failed_precondition', reason, { reason: 'BUILD_CANCELLED' }));
      return;
    }
    const b = await this.get(id);
    if (b && !isTerminal(b.state)) await this.setState(b, 'failed', { error_reason: reason });
  }

  /** Resolves when the build is done; rejects with its failure. `building` is called once it runs. */
  async wait(id: string, building?: () => Promise<void>): Promise<Build> {
    let announced = false;
    for (;;) {
      const b = await this.get(id);
      if (!b)
        throw new AppError('failed_precondition', 'the image build is gone', { hint: 'create the sandbox again' });
      if (b.state === 'done') return b;
      if (b.state === 'failed')
        throw new AppError('failed_precondition', b.errorReason ?? 'the build failed', { reason: 'BUILD_FAILED' });
      if (b.state === 'building' && !announced && building) {
        announced = true;
        await building();
      }
      if (b.state === 'pending' && !this.active.has(id) && !this.queue.includes(id)) {
        // Queued by a replica that is gone (or before a restart): this one runs it.
        this.queue.push(id);
        this.pump();
      }
      await new Promise<void>((resolve) => {
        const off = this.d.bus.subscribe(BUILD_STATE_TOPIC, (ev) => {
          if ((ev as { buildId: string }).buildId === id) done();
        });
        // eslint-disable-next-line no-restricted-globals -- wall clock: polls the store for a bus event another replica may have lost
        const t = setTimeout(() => done(), 1000);
        const done = () => {
          clearTimeout(t);
          off();
          resolve();
        };
      });
    }
  }

  /** At start: builds a previous process was running cannot finish; queued ones are run again. */
  async recover(): Promise<void> {
    // A replica that builds nothing leaves the builds to the replicas that do.
    if (this.d.refused) return;
    await this.builds.failRunning('the server restarted during the build; build again', this.d.clock.now().getTime());
    for (const id of await this.builds.pendingIds()) this.queue.push(id);
    this.pump();
  }

  /** Removes dynamic images nobody used for BERTH_BUILD_CACHE_DAYS (the engine keeps layers still in use). */
  async prune(inUse: (ref: string) => Promise<boolean>): Promise<number> {
    const cutoff = this.d.clock.now().getTime() - this.d.config.buildCacheDays * 86_400_000;
    const old = await this.builds.unusedDynamic(cutoff);
    let n = 0;
    for (const r of old) {
      if (await inUse(r.imageRef)) continue;
      try {
        await this.d.runner.removeImage(r.imageRef);
        await this.builds.remove(r.id);
        n++;
      } catch (e) {
        this.d.log.debug('cached image kept', { ref: r.imageRef, error: (e as Error).message });
      }
    }
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const ac of this.active.values())
      ac.abort(new AppError('unavailable', 'the server is shutting down', { reason: 'BUILD_CANCELLED' }));
  }
}

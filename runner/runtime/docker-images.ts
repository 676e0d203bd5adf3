// Images on Docker: builds with the engine's classic builder (it honours the
// cpu/memory caps and can put RUN steps on the sandbox network, which BuildKit
// behind the 20.10 Engine API does not — see docs/images.md), pulls with
// registry credentials, commits of sandbox containers, and removal; save, load
// and push are in docker-image-transfer.ts.
import type Docker from 'dockerode';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import { AppError } from '../../common/errors.js';
import { LABELS, message, status, wrap } from './docker-errors.js';
import { loadImage, pushImage, saveImage, splitRef, tagImage } from './docker-image-transfer.js';
import type { BuildSpec, ImageEngine, RegistryAuth } from './interface.js';

const containerName = (sandboxId: string) => `berth-${sandboxId}`;
/** The Dockerfile's name inside the build context: one no uploaded context uses. */
const DOCKERFILE = '.berth.Dockerfile';

interface ProgressEvent {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string };
}

export class DockerImages implements ImageEngine {
  constructor(private readonly docker: Docker) {}

  async build(spec: BuildSpec, onLog: (text: string) => void): Promise<{ size: number }> {
    const context = buildContext(spec);
    const layers: string[] = [];
    let step = '';
    let failure: AppError | null = null;
    let done = false;
    try {
      const stream = (await this.docker.buildImage(
        context.stream as unknown as NodeJS.ReadableStream,
        {
          t: spec.tag,
          dockerfile: DOCKERFILE,
          rm: true,
          forcerm: true,
          networkmode: spec.network,
          memory: spec.memoryBytes,
          memswap: spec.memoryBytes,
          cpuperiod: 100_000,
          cpuquota: Math.round(spec.cpu * 100_000),
          // Layers of other organizations' builds must never be reused (a RUN line would get their output).
          cachefrom: JSON.stringify(spec.cacheFrom.length ? spec.cacheFrom : ['berth-img/no-cache:none']),
          registryconfig: Object.fromEntries(
            spec.auth.map((a) => [a.serveraddress, { username: a.username, password: a.password }]),
          ),
          abortSignal: spec.signal,
        } as Docker.ImageBuildOptions,
      )) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => {
        spec.signal.addEventListener('abort', () => reject(spec.signal.reason ?? new Error('aborted')), { once: true });
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (ev: ProgressEvent) => {
            if (ev.stream) {
              const text = ev.stream;
              const m = /^Step \d+\/\d+ : (.*)$/m.exec(text);
              if (m) step = text.trim();
              const layer = /^ ---> ([0-9a-f]{12})\s*$/m.exec(text);
              if (layer) layers.push(layer[1]!);
              onLog(text);
            } else if (ev.status) {
              onLog(`${ev.status}${ev.id ? ` ${ev.id}` : ''}${ev.progress ? ` ${ev.progress}` : ''}\n`);
            }
            if (ev.errorDetail || ev.error) {
              const msg = ev.errorDetail?.message ?? ev.error ?? 'build failed';
              onLog(`${msg}\n`);
              failure ??= buildFailure(msg, step, ev.errorDetail?.code);
            }
          },
        );
      });
      if (context.error) throw context.error;
      if (failure) throw failure;
      done = true;
      const img = await this.docker.getImage(spec.tag).inspect();
      return { size: img.Size };
    } catch (e) {
      if (context.error) throw context.error;
      if (failure) throw failure;
      if (spec.signal.aborted)
        throw spec.signal.reason instanceof AppError
          ? spec.signal.reason
          : new AppError('failed_precondition', 'the build was cancelled', { reason: 'BUILD_CANCELLED' });
      const s = status(e);
      if (s === 400 || s === 500) throw buildFailure(message(e), step);
      throw wrap(e, 'build an image');
    } finally {
      // A failed or cancelled build leaves its last layers untagged: remove ours (the engine keeps any still used).
      if (!done)
        for (const id of layers.reverse())
          await this.docker
            .getImage(id)
            .remove()
            .catch(() => {});
    }
  }

  async pull(
    ref: string,
    auth: RegistryAuth | null,
    onLog: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      const stream = (await this.docker.pull(ref, {
        ...(auth ? { authconfig: auth } : {}),
        ...(signal ? { abortSignal: signal } : {}),
      })) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (ev: ProgressEvent) => {
            if (ev.error || ev.errorDetail) reject(new Error(ev.errorDetail?.message ?? ev.error));
            else if (ev.status && !ev.progress) onLog(`${ev.status}${ev.id ? ` ${ev.id}` : ''}\n`);
          },
        ),
      );
    } catch (e) {
      throw pullFailure(ref, message(e), !!auth);
    }
  }

  async check(ref: string, auth: RegistryAuth | null): Promise<void> {
    try {
      await this.docker.getImage(ref).distribution(auth ? { authconfig: auth } : {});
    } catch (e) {
      throw pullFailure(ref, message(e), !!auth);
    }
  }

  async commit(sandboxId: string, ref: string, labels: Record<string, string>): Promise<{ size: number }> {
    const [repo, tag] = splitRef(ref);
    try {
      // pause: a consistent filesystem for the instant of the commit (overlay2: the upper layer only, no tar).
      await this.docker.getContainer(containerName(sandboxId)).commit({
        repo,
        tag,
        pause: true,
        changes: Object.entries({ ...labels, [LABELS.managed]: 'true' }).map(
          ([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`,
        ),
      });
      return { size: (await this.docker.getImage(ref).inspect()).Size };
    } catch (e) {
      if (status(e) === 404)
        throw new AppError('failed_precondition', `sandbox ${sandboxId} has no container to commit`, {
          hint: 'start the sandbox first (an archived sandbox keeps only an archive)',
        });
      throw wrap(e, `commit sandbox ${sandboxId}`);
    }
  }

  async remove(ref: string): Promise<void> {
    try {
      await this.docker.getImage(ref).remove();
    } catch (e) {
      if (status(e) === 404) return;
      if (status(e) === 409)
        throw new AppError('conflict', `image ${ref} is in use by a sandbox`, {
          hint: 'delete the sandboxes created from it first',
        });
      throw wrap(e, `remove image ${ref}`);
    }
  }

  async list(labels: Record<string, string>): Promise<{ ref: string; created: number }[]> {
    try {
      const all = await this.docker.listImages({
        filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
      });
      return all.flatMap((i) =>
        (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>').map((ref) => ({ ref, created: i.Created * 1000 })),
      );
    } catch (e) {
      throw wrap(e, 'list images');
    }
  }

  save = (ref: string) => saveImage(this.docker, ref);
  load = (tar: Readable, signal?: AbortSignal) => loadImage(this.docker, tar, signal);
  tag = (ref: string, newRef: string) => tagImage(this.docker, ref, newRef);
  push = (ref: string, onProgress: (sent: number, total: number) => void) => pushImage(this.docker, ref, onProgress);
}

/**
 * The build context: the Dockerfile plus every entry of the uploaded context
 * tars, streamed (never whole in memory). Paths are kept relative; anything
 * climbing out of the context is refused, and the total size is capped.
 */
function buildContext(spec: BuildSpec): { stream: Readable; error: AppError | null } {
  const pack = tar.pack();
  const out = new PassThrough();
  const ctx = { stream: out as Readable, error: null as AppError | null };
  // A failure is reported through ctx.error; the streams only need to stop.
  pack.on('error', () => {});
  out.on('error', () => {});
  pack.pipe(out);
  const fail = (e: AppError) => {
    ctx.error ??= e;
    pack.destroy(e);
    out.destroy(e);
  };
  void (async () => {
    pack.entry({ name: DOCKERFILE, mode: 0o644 }, spec.dockerfile);
    let total = 0;
    for (const open of spec.contexts) {
      const input = await open();
      const extract = tar.extract();
      await new Promise<void>((resolve, reject) => {
        extract.on('entry', (header, body, next) => {
          const name = header.name.replace(/^(\.\/|\/)+/, '');
          if (!name || name.split('/').includes('..')) {
            body.resume();
            return next();
          }
          total += header.size ?? 0;
          if (total > spec.contextLimitBytes) {
            body.resume();
            return reject(
              new AppError('payload_too_large', `the build context is over ${spec.contextLimitBytes} bytes`, {
                hint: 'add fewer or smaller local files to the image, or raise BERTH_BUILD_CONTEXT_LIMIT_BYTES',
              }),
            );
          }
          const target = pack.entry({ ...header, name }, (err) => (err ? reject(err) : next()));
          body.pipe(target);
        });
        extract.once('finish', resolve);
        extract.once('error', (e) =>
          reject(
            new AppError('invalid_argument', `a build context is not a valid tar archive: ${e.message}`, {
              hint: 'upload the context again (Image.addLocalFile/addLocalDir)',
            }),
          ),
        );
        input.once('error', reject);
        input.pipe(extract);
      });
    }
    pack.finalize();
  })().catch((e: unknown) =>
    fail(
      e instanceof AppError
        ? e
        : new AppError('unavailable', `could not read a build context: ${(e as Error).message}`, {
            hint: 'retry; upload the context again if it is gone',
          }),
    ),
  );
  return ctx;
}

/** The failing step and its exit code, in words (the classic builder names both). */
function buildFailure(msg: string, step: string, code?: number): AppError {
  const exit = /returned a non-zero code: (\d+)/.exec(msg)?.[1] ?? (code !== undefined ? String(code) : undefined);
  if (/dockerfile parse error|unknown instruction|Dockerfile.*(syntax|invalid)/i.test(msg)) {
    return new AppError('invalid_argument', `the Dockerfile is invalid: ${msg}`, {
      hint: 'fix the Dockerfile (see https://docs.docker.com/reference/dockerfile/)',
      reason: 'DOCKERFILE_INVALID',
    });
  }
  const pull =
    /pull access denied|manifest unknown|not found|no such host|dial tcp|connection refused|i\/o timeout|unauthorized/i.test(
      msg,
    ) && /^Step \d+\/\d+ : FROM/i.test(step);
  if (pull) return pullFailure(step.replace(/^Step \d+\/\d+ : FROM\s+/i, '').split(/\s/)[0] ?? '', msg, false);
  const where = step ? `${step.replace(/\s+/g, ' ')}` : 'the build';
  return new AppError(
    'failed_precondition',
    exit ? `${where} failed with exit code ${exit}: ${msg.trim()}` : `${where} failed: ${msg.trim()}`,
    {
      hint: 'read the build logs (GET /api/snapshots/{id}/build-logs or `berth snapshot logs`), fix the step and build again',
      reason: 'BUILD_FAILED',
    },
  );
}

function pullFailure(ref: string, msg: string, withAuth: boolean): AppError {
  if (/unauthorized|authentication required|no basic auth credentials|denied|401/i.test(msg)) {
    return new AppError('invalid_argument', `the registry refused to give image ${ref}: ${msg.trim()}`, {
      hint: withAuth
        ? 'the stored registry credentials are wrong: fix them with PATCH /api/docker-registry/{id} or `berth registry add` again'
        : 'add credentials for its registry (POST /api/docker-registry, `berth registry add`)',
      reason: 'REGISTRY_UNAUTHORIZED',
    });
  }
  const offline =
    /no such host|dial tcp|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout|server misbehaving/i.test(
      msg,
    );
  return new AppError('invalid_argument', `image ${ref} is not on this host and could not be pulled: ${msg.trim()}`, {
    hint: offline
      ? 'its registry is unreachable from this server: register a local image instead (`docker load` or `docker build` it, then `berth snapshot create --image`), configure a reachable registry (`berth registry add`) or a registry mirror for the Docker engine'
      : 'check the image name and tag, and that its registry has it',
    reason: 'IMAGE_PULL_FAILED',
  });
}

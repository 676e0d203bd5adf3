// Moving images between engines without a rebuild: `docker save` / `docker
// load` streams (the tar never whole in memory: each side pipes, so the
// engine's socket and the link's flow control pace it), and tag + push to a
// cluster registry. Used to put an image on a remote runner
// (orchestrator/runners/images.ts).
import type Docker from 'dockerode';
import { finished, type Readable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { message, status, wrap } from './docker-errors.js';

interface ProgressEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export const imageNotFound = (ref: string) =>
  new AppError('invalid_argument', `image ${ref} is not on this engine`, {
    hint: `build or pull it here first (\`docker pull ${ref}\`, or \`berth setup\` for the base image)`,
    reason: 'IMAGE_NOT_FOUND',
  });

/** `name[:tag]` as [name, tag] (a port in the host part is not a tag). */
export function splitRef(ref: string): [string, string] {
  const i = ref.lastIndexOf(':');
  return i > ref.lastIndexOf('/') ? [ref.slice(0, i), ref.slice(i + 1)] : [ref, 'latest'];
}

/** Follows an engine progress stream; rejects with the first error it reports. */
function follow(docker: Docker, stream: NodeJS.ReadableStream, onEvent: (ev: ProgressEvent) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: Error | null = null;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err || failure ? reject(err ?? failure) : resolve()),
      (ev: ProgressEvent) => {
        if (ev.error || ev.errorDetail) failure ??= new Error(ev.errorDetail?.message ?? ev.error);
        else onEvent(ev);
      },
    );
  });
}

export async function saveImage(docker: Docker, ref: string): Promise<Readable> {
  try {
    // Inspect first: the save endpoint's own answer for a missing image varies by engine version.
    await docker.getImage(ref).inspect();
    return (await docker.getImage(ref).get()) as unknown as Readable;
  } catch (e) {
    if (status(e) === 404) throw imageNotFound(ref);
    throw wrap(e, `save image ${ref}`);
  }
}

export async function loadImage(docker: Docker, tar: Readable, signal?: AbortSignal): Promise<void> {
  // The engine only learns the body broke if we abort its request: a piped
  // source that errors or closes early would otherwise leave it waiting.
  const ac = new AbortController();
  const stop = (reason: unknown) => ac.abort(reason);
  signal?.addEventListener('abort', () => stop(signal.reason), { once: true });
  const cleanup = finished(tar, (err) => {
    if (err) stop(err);
  });
  try {
    const out = (await docker.loadImage(tar as unknown as NodeJS.ReadableStream, {
      quiet: true,
      abortSignal: ac.signal,
    })) as NodeJS.ReadableStream;
    await follow(docker, out, () => {});
  } catch (e) {
    if (ac.signal.aborted) {
      const why = ac.signal.reason as Error | undefined;
      if (why instanceof AppError) throw why;
      throw new AppError('unavailable', `the image stream broke before its end: ${why?.message ?? 'aborted'}`, {
        hint: 'nothing was tagged; send the image again',
      });
    }
    if (e instanceof AppError || (e as NodeJS.ErrnoException)?.code) throw wrap(e, 'load an image');
    throw new AppError('failed_precondition', `the engine refused the image: ${message(e)}`, {
      hint: 'send a complete `docker save` tar; check the disk space of the engine',
      reason: 'IMAGE_LOAD_FAILED',
    });
  } finally {
    cleanup();
  }
}

export async function tagImage(docker: Docker, ref: string, newRef: string): Promise<void> {
  const [repo, tag] = splitRef(newRef);
  try {
    await docker.getImage(ref).tag({ repo, tag });
  } catch (e) {
    if (status(e) === 404) throw imageNotFound(ref);
    throw wrap(e, `tag image ${ref} as ${newRef}`);
  }
}

export async function pushImage(
  docker: Docker,
  ref: string,
  onProgress: (sent: number, total: number) => void,
): Promise<void> {
  const [repo, tag] = splitRef(ref);
  const layers = new Map<string, { current: number; total: number }>();
  try {
    // An empty credential: the engine's push wants the header, the cluster registry no login.
    const stream = (await docker.getImage(repo).push({ tag, authconfig: {} })) as NodeJS.ReadableStream;
    await follow(docker, stream, (ev) => {
      if (!ev.id || !ev.progressDetail?.total) return;
      layers.set(ev.id, { current: ev.progressDetail.current ?? 0, total: ev.progressDetail.total });
      let sent = 0;
      let total = 0;
      for (const l of layers.values()) {
        sent += l.current;
        total += l.total;
      }
      onProgress(sent, total);
    });
  } catch (e) {
    if (status(e) === 404) throw imageNotFound(ref);
    if (e instanceof AppError) throw e;
    throw new AppError('unavailable', `could not push image ${ref} to its registry: ${message(e)}`, {
      hint:
        'check that BERTH_REGISTRY_URL answers (`curl http://<registry>/v2/`) from every Docker engine; ' +
        'an engine trusts a registry without TLS only on 127.0.0.0/8 or with --insecure-registry',
      reason: 'REGISTRY_PUSH_FAILED',
    });
  }
}

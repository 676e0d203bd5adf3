// Images over a runner's link as streamed `docker save` tars (routes in
// common/wire/runner-link.ts). The tar is piped into (or out of) one HTTP/2
// stream, so the link's flow control paces the engine at the far end and no
// side holds more than a window of it in memory.
import http2 from 'node:http2';
import { finished, type Readable } from 'node:stream';
import { readErrorBody } from '../../common/error-body.js';
import { AppError } from '../../common/errors.js';
import { IMAGE_LOAD_PATH, IMAGE_REF_HEADER, IMAGE_SAVE_PATH } from '../../common/wire/runner-link.js';

const broke = (runnerId: string, e: unknown) =>
  e instanceof AppError
    ? e
    : new AppError('unavailable', `the image transfer to runner ${runnerId} broke: ${(e as Error)?.message ?? e}`, {
        hint: 'send it again once the runner is linked; a half-sent image is never tagged there',
      });

/** Sends `tar` to the runner's engine; resolves once it loaded it. */
export function loadOverLink(
  session: http2.ClientHttp2Session,
  runnerId: string,
  tar: Readable,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': IMAGE_LOAD_PATH, 'content-type': 'application/x-tar' });
    let settled = false;
    const settle = (e?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (e === undefined) return resolve();
      tar.unpipe(req);
      tar.destroy();
      if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
      reject(e);
    };
    const onAbort = () => settle(signal!.reason ?? new AppError('unavailable', 'the image transfer was cancelled'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => settle(broke(runnerId, e)));
    req.on('response', (h) => {
      const status = Number(h[':status']);
      if (status === 200) {
        req.resume();
        req.on('end', () => settle());
      } else {
        // The runner refused (its engine failed, or its disk is full): its error, not a broken link.
        void readErrorBody(req, status, `runner ${runnerId}`).then(settle);
      }
    });
    req.on('close', () => settle(broke(runnerId, new Error('the stream closed before the runner answered'))));
    finished(tar, (err) => {
      if (err) settle(broke(runnerId, err));
    });
    tar.pipe(req);
  });
}

/** The runner's copy of an image as a tar stream. */
export function saveOverLink(session: http2.ClientHttp2Session, runnerId: string, ref: string): Promise<Readable> {
  return new Promise<Readable>((resolve, reject) => {
    const req = session.request({ ':method': 'GET', ':path': IMAGE_SAVE_PATH, [IMAGE_REF_HEADER]: ref });
    req.once('error', (e) => reject(broke(runnerId, e)));
    req.on('response', (h) => {
      const status = Number(h[':status']);
      if (status === 200) return resolve(req);
      void readErrorBody(req, status, `runner ${runnerId}`).then(reject);
    });
    req.end();
  });
}

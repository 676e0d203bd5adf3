// Tars over a runner's link: images as `docker save` tars and sandbox archives
// (routes in common/wire/runner-link.ts). The tar is piped into (or out of) one
// HTTP/2 stream, so the link's flow control paces the engine (or disk) at the
// far end and no side holds more than a window of it in memory.
import http2 from 'node:http2';
import { finished, type Readable } from 'node:stream';
import { readErrorBody } from '../../common/error-body.js';
import { AppError } from '../../common/errors.js';

const broke = (runnerId: string, e: unknown) =>
  e instanceof AppError
    ? e
    : new AppError('unavailable', `the transfer to runner ${runnerId} broke: ${(e as Error)?.message ?? e}`, {
        hint: 'send it again once the runner is linked; a half-sent image or archive is never kept there',
      });

/** Sends `tar` to a route of the runner's (`headers` name it); resolves once the runner kept it. */
export function sendTar(
  session: http2.ClientHttp2Session,
  runnerId: string,
  headers: http2.OutgoingHttpHeaders,
  tar: Readable,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = session.request({ ':method': 'POST', 'content-type': 'application/x-tar', ...headers });
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
    const onAbort = () => settle(signal!.reason ?? new AppError('unavailable', 'the transfer was cancelled'));
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

/** A tar a route of the runner's gives (`headers` name it), as a stream. */
export function receiveTar(
  session: http2.ClientHttp2Session,
  runnerId: string,
  headers: http2.OutgoingHttpHeaders,
): Promise<Readable> {
  return new Promise<Readable>((resolve, reject) => {
    const req = session.request({ ':method': 'GET', ...headers });
    req.once('error', (e) => reject(broke(runnerId, e)));
    req.on('response', (h) => {
      const status = Number(h[':status']);
      if (status === 200) return resolve(req);
      void readErrorBody(req, status, `runner ${runnerId}`).then(reject);
    });
    req.end();
  });
}

// Answers a WebSocket upgrade with a plain HTTP error (before any upgrade),
// in the same toolbox error shape as the HTTP routes.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { errorBody, HTTP_STATUS, toAppError } from '../errors.js';

export function rejectUpgrade(
  socket: Duplex,
  err: unknown,
  req: { path: string; method: string },
  now: Date,
  onInternal?: (e: unknown) => void,
): void {
  const e = err instanceof AppError ? err : toAppError(err);
  if (e.code === 'internal') onInternal?.(err);
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = HTTP_STATUS[e.code];
  const body = Buffer.from(JSON.stringify(errorBody(e, req, true, now)));
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${body.length}`,
    'Connection: close',
    ...(e.code === 'unauthorized' ? ['WWW-Authenticate: Bearer realm="berth"'] : []),
  ];
  socket.end(Buffer.concat([Buffer.from(headers.join('\r\n') + '\r\n\r\n'), body]));
  // A client that never reads must not hold the socket open.
  setTimeout(() => socket.destroy(), 5000).unref();
}

// The HTTP server around the Koa app, with the limits that protect it from
// slow and oversized clients (headers over 16 KiB get 431 from Node itself).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { State } from './context.js';
import { AppError } from '../common/errors.js';

export interface HttpServer {
  server: http.Server;
  port(): number;
  close(): Promise<void>;
}

export interface ListenLimits {
  /** A client must send its headers within this time (default 20 s). */
  headersTimeoutMs?: number;
  /** … and its whole request, body included, within this time (default 10 min). */
  requestTimeoutMs?: number;
}

export async function listen(
  app: Koa<State>,
  port: number,
  host: string,
  limits: ListenLimits = {},
): Promise<HttpServer> {
  const headersTimeout = limits.headersTimeoutMs ?? 20_000;
  const server = http.createServer(
    {
      maxHeaderSize: 16 * 1024,
      headersTimeout,
      requestTimeout: Math.max(limits.requestTimeoutMs ?? 600_000, headersTimeout),
      keepAliveTimeout: 65_000,
      // Slow clients are checked this often against the two timeouts above.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(headersTimeout / 4))),
    },
    app.callback(),
  );
  await new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => reject(listenError(e, port, host));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return {
    server,
    port: () => (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listenError(e: NodeJS.ErrnoException, port: number, host: string): Error {
  if (e.code === 'EADDRINUSE')
    return new AppError('failed_precondition', `port ${port} on ${host} is already in use`, {
      hint: 'stop what listens there (`ss -ltnp` shows it) or pick another port with PORT',
    });
  if (e.code === 'EACCES')
    return new AppError('failed_precondition', `not allowed to listen on port ${port}`, {
      hint: 'ports below 1024 need root; pick another port with PORT',
    });
  if (e.code === 'EADDRNOTAVAIL')
    return new AppError('invalid_argument', `${host} is not an address of this machine`, {
      hint: 'set BERTH_HOST to one of its addresses, or 0.0.0.0 for all',
    });
  return e;
}

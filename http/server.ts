// The HTTP server around the Koa app, with the limits that protect it from
// slow and oversized clients (headers over 16 KiB get 431 from Node itself).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { State } from './context.js';

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

export async function listen(app: Koa<State>, port: number, host: string, limits: ListenLimits = {}): Promise<HttpServer> {
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
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
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

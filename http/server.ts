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

export async function listen(app: Koa<State>, port: number, host: string): Promise<HttpServer> {
  const server = http.createServer(
    {
      maxHeaderSize: 16 * 1024,
      // A client must send its headers within 20 s and a whole request within 10 min.
      headersTimeout: 20_000,
      requestTimeout: 600_000,
      keepAliveTimeout: 65_000,
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

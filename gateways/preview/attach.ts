// Puts the preview proxy in front of everything else on an HTTP server: a
// request or upgrade whose Host is a preview host goes to the proxy and is
// never seen by the API, MCP, web UI, toolbox WebSockets or Socket.IO (a
// sandbox app may serve /api, /mcp, /toolbox or /socket.io itself). Also
// serves the optional previews-only port (BERTH_PREVIEW_PORT).
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../common/errors.js';
import type { PreviewGateway } from './proxy.js';
import { refuseUpgrade, sendError } from './pages.js';

type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;
type UpgradeListener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Call after every other listener is attached: takes the server's request and
 * upgrade listeners and calls them only for requests that are not previews.
 * Returns a function that puts them back.
 */
export function claimPreviewHosts(server: http.Server, gw: PreviewGateway): () => void {
  const requests = server.listeners('request') as RequestListener[];
  const upgrades = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('request');
  server.removeAllListeners('upgrade');
  const onRequest: RequestListener = (req, res) => {
    const m = gw.match(req);
    if (m.kind !== 'main') return gw.handle(req, res, m);
    for (const l of requests) l.call(server, req, res);
  };
  const onUpgrade: UpgradeListener = (req, socket, head) => {
    const m = gw.match(req);
    if (m.kind !== 'main') return gw.upgrade(req, socket, head, m);
    for (const l of upgrades) l.call(server, req, socket, head);
  };
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('request', onRequest);
    server.off('upgrade', onUpgrade);
    for (const l of requests) server.on('request', l);
    for (const l of upgrades) server.on('upgrade', l);
  };
}

const previewsOnly = () =>
  new AppError('not_found', 'this port serves sandbox previews only', {
    hint: 'preview hosts look like {port}-{sandboxId}.<BERTH_PREVIEW_DOMAIN>; the API is on PORT',
  });

/** A server on its own port that answers previews only (BERTH_PREVIEW_PORT). */
export async function listenPreviews(
  gw: PreviewGateway,
  port: number,
  host: string,
  limits: { headersTimeoutMs: number; requestTimeoutMs: number },
): Promise<{ port(): number; close(): Promise<void> }> {
  const server = http.createServer(
    {
      maxHeaderSize: 16 * 1024,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      keepAliveTimeout: 65_000,
    },
    (req, res) => {
      const m = gw.match(req);
      if (m.kind === 'main') return sendError(req, res, previewsOnly());
      gw.handle(req, res, m);
    },
  );
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const m = gw.match(req);
    if (m.kind === 'main') return refuseUpgrade(socket, previewsOnly());
    gw.upgrade(req, socket, head, m);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new AppError('failed_precondition', `BERTH_PREVIEW_PORT ${port} on ${host} is already in use`, {
              hint: 'pick another port, or unset BERTH_PREVIEW_PORT: previews are served on PORT too',
            })
          : e,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return {
    port: () => (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

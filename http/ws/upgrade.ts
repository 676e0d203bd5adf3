// WebSocket upgrades of the toolbox (/toolbox/{sandboxId}/…): authenticated
// like HTTP toolbox calls (Bearer API key on the upgrade, or in browser-like
// SDK runtimes the sandbox's preview token as DAYTONA_SANDBOX_AUTH_KEY, or the
// web UI's session cookie from a page of this server; browsers cannot set a
// header on a WebSocket, so the UI names its organization as ?organizationId=),
// scoped to the caller's organization (another organization's sandbox is a
// 404 before any upgrade), then relayed. Upgrades on other paths (e.g.
// Socket.IO) are left alone for their own listeners.
import type http from 'node:http';
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError } from '../../common/errors.js';
import { revokedMatches, type Principal } from '../../orchestrator/index.js';
import { ORGANIZATION_HEADER, SANDBOX_TOKEN_HEADER, sandboxToken } from '../auth.js';
import type { HttpDeps } from '../context.js';
import { relayChannel, relayReadable } from './bridge.js';
import { offeredProtocols, selectProtocol } from './protocols.js';
import { rejectUpgrade } from './reject.js';
import { checkCookieUpgrade, sessionToken } from '../session.js';
import { clientAddress, trustedProxies } from '../client-address.js';
import { matchWsRoute, type Opened } from './routes.js';

const PREFIX = '/toolbox/';
/** Largest message a client may send (interpreter code, pasted terminal input). */
const MAX_PAYLOAD = 8 << 20;

export interface ToolboxWebSockets {
  /** Open toolbox sockets right now. */
  count(): number;
  /** Stops accepting upgrades and drops every open toolbox socket, and upgrades nobody answered (server shutdown). */
  close(): void;
}

function bearer(req: http.IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** Upgrade sockets are TCP sockets; the event types them as plain duplexes. */
const written = (socket: Duplex): number => (socket as net.Socket).bytesWritten ?? 0;

function release(o: Opened): void {
  if (o.kind === 'channel') o.channel.end();
  else o.stream.destroy();
  o.end();
}

/** Policy close code: the credential that opened the socket stopped working. */
const CLOSE_REVOKED = 1008;

export function attachToolboxWebSockets(server: http.Server, d: HttpDeps): ToolboxWebSockets {
  const chosen = new WeakMap<http.IncomingMessage, string>();
  const unanswered = new Set<Duplex>();
  // Who opened each socket, so a revoked or expired key ends its sockets too.
  const owners = new Map<WebSocket, Principal>();
  const offRevoked = d.orch.onCredentialsRevoked((ev) => {
    for (const [ws, p] of owners) if (revokedMatches(ev, p)) ws.close(CLOSE_REVOKED, 'credentials revoked');
  });
  const trusted = trustedProxies(d.config.trustedProxies);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD,
    perMessageDeflate: false,
    // The route decided before the upgrade; `false` sends no Sec-WebSocket-Protocol.
    handleProtocols: (_offered, req) => chosen.get(req) ?? false,
  });

  const handle = async (req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL) => {
    const where = { path: url.pathname, method: req.method ?? 'GET' };
    const fail = (e: unknown) =>
      rejectUpgrade(socket, e, where, d.clock.now(), (err) =>
        d.log.error('websocket upgrade failed', { path: url.pathname, error: (err as Error)?.stack ?? String(err) }),
      );
    let gone = false;
    socket.on('error', () => {});
    socket.once('close', () => (gone = true));

    const segments = url.pathname.slice(PREFIX.length).split('/').filter(Boolean);
    let decoded: string[];
    try {
      decoded = segments.map(decodeURIComponent);
    } catch {
      return fail(new AppError('invalid_argument', 'malformed path', { reason: 'BAD_REQUEST' }));
    }
    const [sandboxId, ...rest] = decoded;
    const match = sandboxId ? matchWsRoute(rest) : null;
    if (!sandboxId || !match)
      return fail(
        new AppError('not_found', `no WebSocket route for ${url.pathname}`, {
          reason: 'NOT_FOUND',
          hint: 'WebSocket routes: process/pty/create-connect, process/pty/{id}/connect, process/exec/attach, process/interpreter/execute, process/session/…/logs?follow=true',
        }),
      );
    if (
      req.method !== 'GET' ||
      (req.headers.upgrade ?? '').toLowerCase() !== 'websocket' ||
      !req.headers['sec-websocket-key'] ||
      req.headers['sec-websocket-version'] !== '13'
    ) {
      return fail(
        new AppError('invalid_argument', 'not a valid WebSocket handshake', {
          reason: 'BAD_REQUEST',
          hint: 'connect with a WebSocket client (version 13)',
        }),
      );
    }

    let opened: Opened;
    let principal: Principal;
    const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
    try {
      const org = req.headers[ORGANIZATION_HEADER];
      const key = bearer(req);
      const previewToken = key ? undefined : sandboxToken(req.headers[SANDBOX_TOKEN_HEADER], url.searchParams);
      const source = {
        ip: clientAddress(req, trusted),
        frontend: 'toolbox',
        requestId: (req.headers['x-request-id'] as string | undefined) || randomUUID(),
      };
      const organizationId = typeof org === 'string' && org ? org : url.searchParams.get('organizationId') || undefined;
      const session = key || previewToken ? undefined : sessionToken(req.headers.cookie);
      if (session) checkCookieUpgrade(req.headers, d.config);
      principal = previewToken
        ? await d.orch.authenticateSandboxToken(sandboxId, previewToken, source)
        : session
          ? await d.orch.authenticateSession(session, { ...source, frontend: 'webui', organizationId })
          : await d.orch.authenticate(key, { ...source, organizationId });
      opened = await match.route.open({
        d,
        principal,
        sandboxId,
        params: match.params,
        query: url.searchParams,
        offered,
      });
    } catch (e) {
      return fail(e);
    }
    if (gone) return release(opened);

    const protocol = selectProtocol(offered, match.route.prefer);
    if (protocol) chosen.set(req, protocol);
    let upgraded = false;
    // `ws` destroys the socket without calling back when the handshake is bad.
    socket.once('close', () => {
      if (!upgraded) release(opened);
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      owners.set(ws, principal);
      const expiry = principal.expiresAt
        ? setTimeout(
            () => ws.close(CLOSE_REVOKED, 'credentials expired'),
            Math.max(0, principal.expiresAt - d.clock.now().getTime()),
          )
        : null;
      expiry?.unref();
      ws.once('close', () => {
        owners.delete(ws);
        if (expiry) clearTimeout(expiry);
      });
      if (opened.kind === 'channel') relayChannel(ws, opened.channel, opened.end);
      else relayReadable(ws, opened.stream, opened.end);
    });
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://berth.invalid');
    } catch {
      return; // not ours to judge
    }
    if (!url.pathname.startsWith(PREFIX)) {
      // Someone else's (Socket.IO…), or nobody's. The HTTP server keeps upgrade sockets
      // half-open, so one that nobody answered would linger after its client left, and
      // hold up shutdown: let go of exactly those, never of one another listener answered.
      unanswered.add(socket);
      socket.once('close', () => unanswered.delete(socket));
      socket.once('end', () => {
        if (written(socket) === 0) socket.destroy();
      });
      return;
    }
    void handle(req, socket, head, url).catch((e) =>
      rejectUpgrade(socket, e, { path: url.pathname, method: req.method ?? 'GET' }, d.clock.now()),
    );
  };
  server.on('upgrade', onUpgrade);

  return {
    count: () => wss.clients.size,
    close() {
      offRevoked();
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const socket of unanswered) if (written(socket) === 0) socket.destroy();
    },
  };
}

// The preview proxy: a request on a preview host is admitted by the
// orchestrator (orch.previewGate), stripped of Berth's credentials and
// forwarded (http-proxy) through a pooled tunnel to the sandbox port; a
// WebSocket upgrade likewise. A stopped sandbox that allows it is started:
// browsers get a page that reloads itself, API clients wait up to a minute.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import httpProxy from 'http-proxy';
import { AppError } from '../../common/errors.js';
import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import {
  PREVIEW_COOKIE_NAME,
  revokedMatches,
  type Orchestrator,
  type PreviewGrant,
  type RequestSource,
} from '../../orchestrator/index.js';
import { matchHost, type HostMatch } from './host.js';
import { refuseUpgrade, sendError, sendStarting, wantsHtml } from './pages.js';
import { dropResponseHopByHop, forwardHeaders, readPreviewRequest, SKIP_ACTIVITY_HEADER } from './request.js';
import { clientAddress as clientBehind, trustedProxies } from '../../http/client-address.js';
import { tunnelPool } from './tunnels.js';
import { previewCors } from './cors.js';

/** A WebSocket whose client left is dropped after this, should the app keep its side open. */
const WS_HALF_CLOSED_MS = 5_000;
/** API clients wait this long for a stopped sandbox to start. */
const START_WAIT_MS = 60_000;

export interface PreviewGatewayDeps {
  orch: Orchestrator;
  config: Config;
  log: Logger;
}

export interface PreviewGateway {
  /** Whether the request (or upgrade) is for a preview host. */
  match(req: http.IncomingMessage): HostMatch;
  handle(req: http.IncomingMessage, res: http.ServerResponse, m: Exclude<HostMatch, { kind: 'main' }>): void;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, m: Exclude<HostMatch, { kind: 'main' }>): void;
  /** Open tunnels (pooled and in use) and WebSockets, for tests and health. */
  stats(): { tunnels: number; tunnelsOpened: number; websockets: number };
  close(): void;
}

function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'HPE_INVALID_CONSTANT' ||
    code?.startsWith?.('HPE_')
  ) {
    return new AppError('bad_gateway', `the app closed the connection or answered with malformed HTTP (${code})`, {
      hint: 'check the app in the sandbox',
    });
  }
  return new AppError('internal', `preview failed: ${(e as Error)?.message ?? e}`);
}

const running = (g: PreviewGrant) => g.sandbox.state === 'started' && g.sandbox.desiredState === 'started';

export function createPreviewGateway(d: PreviewGatewayDeps): PreviewGateway {
  const pool = tunnelPool(d.orch);
  const proxy = httpProxy.createProxyServer({ agent: pool.agent, xfwd: false, ws: true });
  const cookies = new WeakMap<http.IncomingMessage, string>();
  const cors = previewCors(d.config.previewCorsOrigins, d.config.previewDomain);
  const corsHeaders = new WeakMap<http.IncomingMessage, Record<string, string>>();
  const sockets = new Set<Duplex>();
  // Who opened each WebSocket with a key (directly or through its cookie): revoking the key ends them.
  const byKey = new Map<Duplex, { keyId: string; organizationId: string }>();
  const offRevoked = d.orch.onCredentialsRevoked((ev) => {
    for (const [socket, who] of byKey) if (revokedMatches(ev, { ...who, userId: '' })) socket.destroy();
  });
  const secure = (d.config.previewProtocol ?? new URL(d.config.publicUrl).protocol.replace(':', '')) === 'https';

  const closing = new WeakSet<http.IncomingMessage>();
  proxy.on('proxyRes', (res, req) => {
    dropResponseHopByHop(res.headers);
    // The client's own connection choice (its Connection header was not forwarded).
    res.headers.connection = closing.has(req) ? 'close' : 'keep-alive';
    const ours = cookies.get(req);
    if (ours) res.headers['set-cookie'] = [...(res.headers['set-cookie'] ?? []), ours];
    const allow = corsHeaders.get(req);
    if (allow) cors.applyToResponse(res, allow);
  });
  // A WebSocket ends when either side closes for good: a client gone must not leave the app's side (and the
  // sandbox's activity) held by a half-open tunnel, whatever the app does with a half-close.
  proxy.on('proxyReqWs', (out: http.ClientRequest, _req: http.IncomingMessage, socket: Duplex) => {
    out.once('upgrade', (_res: http.IncomingMessage, tunnel: Duplex) => {
      socket.once('close', () => tunnel.destroy());
      tunnel.once('close', () => socket.destroy());
      // The client's half-close went on to the app; an app that never closes its side gets a few seconds.
      socket.once('end', () => setTimeout(() => socket.destroy(), WS_HALF_CLOSED_MS).unref());
    });
  });
  // Per-call callbacks answer errors; this keeps an unhandled 'error' from throwing.
  proxy.on('error', () => {});
  proxy.on('open', (s: Duplex) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  // Limits and the audit log key on the client behind trusted proxies (http/client-address.ts).
  const trusted = trustedProxies(d.config.trustedProxies);
  const source = (req: http.IncomingMessage): RequestSource => ({
    ip: clientBehind(req, trusted),
    frontend: 'preview',
    requestId: randomUUID(),
  });
  const target = (g: PreviewGrant) => ({ protocol: 'http:', host: g.sandbox.id, port: g.port });

  /** Admits the request and makes sure the sandbox runs; null when a page was already sent. */
  async function admit(
    req: http.IncomingMessage,
    m: { port: number; label: string },
    browser: http.ServerResponse | null,
    upgrade = false,
  ): Promise<PreviewGrant | null> {
    const pr = readPreviewRequest(req);
    const g = await d.orch.previewGate.admit(m.label, m.port, pr.creds, source(req));
    if (!running(g)) {
      if (browser) {
        const s = await d.orch.previewGate.wake(g, 0);
        sendStarting(browser, s.id, s.state);
        return null;
      }
      const s = await d.orch.previewGate.wake(g, START_WAIT_MS);
      if (s.state !== 'started')
        throw new AppError('unavailable', `sandbox ${s.id} is still ${s.state}`, {
          reason: 'SANDBOX_STARTING',
          hint: 'retry in a few seconds',
          recoverable: true,
        });
    }
    if (String(req.headers[SKIP_ACTIVITY_HEADER]).toLowerCase() !== 'true') d.orch.previewGate.touch(g);
    pool.admit(g.sandbox.id, g.principal);
    pr.strip(g.stripBearer);
    if (forwardHeaders(req, upgrade).close) closing.add(req);
    if (g.cookie && g.via !== 'cookie') {
      cookies.set(
        req,
        `${PREVIEW_COOKIE_NAME}=${g.cookie.value}; Path=/; Max-Age=${g.cookie.maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
      );
    }
    return g;
  }

  const fail = (req: http.IncomingMessage, res: http.ServerResponse, e: unknown) => {
    const err = toAppError(e);
    if (err.code === 'internal') d.log.error('preview request failed', { error: (e as Error)?.stack ?? String(e) });
    sendError(req, res, err);
  };

  return {
    match: (req) => matchHost(req, d.config.previewDomain),

    handle(req, res, m) {
      if (m.kind === 'bad')
        return sendError(
          req,
          res,
          new AppError('invalid_argument', m.message, { hint: m.hint, reason: 'BAD_PREVIEW_HOST' }),
        );
      if (cors.preflight(req, res, m.label)) return;
      const allow = cors.headersFor(req, m.label);
      if (allow) {
        // On the proxy's own answers (401, 502…) too, so the calling page can read why.
        for (const [k, v] of Object.entries(allow)) res.setHeader(k, v);
        corsHeaders.set(req, allow);
      }
      const browser = wantsHtml(req) && (req.method === 'GET' || req.method === 'HEAD');
      admit(req, m, browser ? res : null).then(
        (g) => {
          if (!g) return;
          proxy.web(req, res, { target: target(g) }, (e) => fail(req, res, e));
        },
        (e) => fail(req, res, e),
      );
    },

    upgrade(req, socket, head, m) {
      socket.on('error', () => {});
      if (m.kind === 'bad')
        return refuseUpgrade(
          socket,
          new AppError('invalid_argument', m.message, { hint: m.hint, reason: 'BAD_PREVIEW_HOST' }),
        );
      admit(req, m, null, true).then(
        (g) => {
          if (!g) return;
          if (socket.destroyed) return;
          if (g.keyId) {
            byKey.set(socket, { keyId: g.keyId, organizationId: g.sandbox.organizationId });
            socket.once('close', () => byKey.delete(socket));
          }
          proxy.ws(req, socket, head, { target: target(g) }, (e) => refuseUpgrade(socket, toAppError(e)));
        },
        (e) => refuseUpgrade(socket, toAppError(e)),
      );
    },

    stats: () => ({ tunnels: pool.open(), tunnelsOpened: pool.opened(), websockets: sockets.size }),

    close() {
      offRevoked();
      for (const s of sockets) s.destroy();
      pool.close();
      proxy.close();
    },
  };
}

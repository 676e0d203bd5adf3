// /mcp (Streamable HTTP) and the OAuth protected-resource metadata, as a plain
// node handler: the HTTP app hands it the raw request and response, so no body
// parser or framework response gets in the way of SSE streams.
//   POST   JSON-RPC messages (initialize starts a session)
//   GET    the session's SSE stream, or a resumed one with Last-Event-ID
//   DELETE ends the session
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isInitializeRequest,
  isJSONRPCNotification,
  isJSONRPCRequest,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors.js';
import { revokedMatches, type Principal } from '../../orchestrator/index.js';
import { TOOL_GROUPS, parseGroups } from '../tool.js';
import { HostGuard } from './guard.js';
import { clientAddress, trustedProxies } from '../../http/client-address.js';
import { readBody, rpcError, sendWebResponse, toWebRequest } from './respond.js';
import { SessionManager, type LocalSession, type McpDeps } from './sessions.js';
import { serveStream } from './sse.js';

export const MCP_PATH = '/mcp';
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

const STATUS: Partial<Record<AppError['code'], number>> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  unavailable: 503,
};
const EXPOSED = 'mcp-session-id, www-authenticate, mcp-protocol-version';
const ALLOWED_HEADERS = 'authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id';

export interface McpHttp {
  /** Answers the request if it is for /mcp or the metadata; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): Promise<void>;
}

export function createMcpHttp(d: McpDeps): McpHttp {
  const sessions = new SessionManager(d);
  // Sessions of a revoked key (or removed member) end at once, here and on every replica.
  const offRevoked = d.orch.onCredentialsRevoked(
    (ev) => void sessions.endMatching((r) => revokedMatches(ev, r)).catch(() => {}),
  );
  const guard = new HostGuard(d.config);
  const trusted = trustedProxies(d.config.trustedProxies);
  const publicUrl = d.config.publicUrl;
  const metadataUrl = `${publicUrl}${RESOURCE_METADATA_PATH}${MCP_PATH}`;

  // RFC 9728 metadata. Berth issues API keys itself (web UI, `berth serve` on
  // first start) and runs no OAuth authorization server, so none is listed.
  const metadata = () => ({
    resource: `${publicUrl}${MCP_PATH}`,
    resource_name: 'Berth MCP server',
    bearer_methods_supported: ['header'],
    berth_credentials: 'Authorization: Bearer <Berth API key>; every tool is scoped to the key\u2019s organization',
  });

  async function authenticate(req: IncomingMessage, res: ServerResponse): Promise<Principal | undefined> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    try {
      const org = req.headers['x-daytona-organization-id'];
      const requestId =
        typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']
          ? req.headers['x-request-id']
          : randomUUID();
      const p = await d.orch.authenticate(m?.[1], {
        ip: clientAddress(req, trusted),
        frontend: 'mcp',
        requestId,
        organizationId: typeof org === 'string' && org ? org : undefined,
      });
      if (p.rateLimit) {
        res.setHeader('x-ratelimit-limit', String(p.rateLimit.limit));
        res.setHeader('x-ratelimit-remaining', String(p.rateLimit.remaining));
        res.setHeader('x-ratelimit-reset', String(p.rateLimit.resetSeconds));
      }
      return p;
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('internal', 'authentication failed');
      const challenge = `Bearer realm="berth", resource_metadata="${metadataUrl}"${m ? ', error="invalid_token"' : ''}`;
      const retry: Record<string, string> =
        err.code === 'rate_limited' && typeof err.details?.retryAfterSeconds === 'number'
          ? { 'retry-after': String(err.details.retryAfterSeconds) }
          : {};
      rpcError(
        res,
        STATUS[err.code] ?? 500,
        -32001,
        `${err.message}${err.hint ? ` (${err.hint})` : ''}`,
        err.code === 'unauthorized' ? { 'www-authenticate': challenge } : retry,
      );
      return undefined;
    }
  }

  async function session(req: IncomingMessage, res: ServerResponse, p: Principal): Promise<LocalSession | undefined> {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || !id) {
      rpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first)');
      return undefined;
    }
    const s = await sessions.find(id, p);
    if (!s) rpcError(res, 404, -32001, 'Session not found (it ended or expired): initialize a new one');
    return s;
  }

  async function post(req: IncomingMessage, res: ServerResponse, url: URL, p: Principal): Promise<void> {
    const raw = await readBody(req, d.config.jsonBodyLimitBytes);
    if (raw === null) return rpcError(res, 413, -32000, `request body over ${d.config.jsonBodyLimitBytes} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return rpcError(res, 400, -32700, 'Parse error: invalid JSON');
    }
    const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
    let s: LocalSession | undefined;
    const init = messages.find((m) => isInitializeRequest(m));
    if (init && isInitializeRequest(init)) {
      const { groups, unknown } = parseGroups(url.searchParams.get('tools') ?? d.config.mcpTools);
      if (unknown.length)
        return rpcError(
          res,
          400,
          -32602,
          `unknown tool group(s): ${unknown.join(', ')} (choose from ${TOOL_GROUPS.join(', ')}, all)`,
        );
      s = await sessions.create(p, init.params, groups);
    } else {
      s = await session(req, res, p);
      if (!s) return;
      for (const m of messages)
        if (isJSONRPCNotification(m) && m.method === 'notifications/cancelled') sessions.relayCancel(s.id, m.params);
    }
    const requests = messages.filter((m) => isJSONRPCRequest(m)).length;
    const r = await sessions.postRequests.run(requests || 1, () =>
      s.transport.handleRequest(toWebRequest(req, url), { parsedBody: body }),
    );
    if (init && r.status !== 200) await sessions.end(s.id);
    await sendWebResponse(res, r);
  }

  async function get(req: IncomingMessage, res: ServerResponse, p: Principal): Promise<void> {
    if (!String(req.headers.accept ?? '').includes('text/event-stream'))
      return rpcError(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    const s = await session(req, res, p);
    if (!s) return;
    const lastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : undefined;
    if (!lastEventId) {
      if (s.standaloneOpen) return rpcError(res, 409, -32000, 'Conflict: this session already has an open GET stream');
      s.standaloneOpen = true;
    }
    try {
      await serveStream(res, {
        log: d.orch.relay.events,
        sessionId: s.id,
        lastEventId,
        closed: s.closed,
        onKeepAlive: () => sessions.touch(s),
      });
    } finally {
      if (!lastEventId) s.standaloneOpen = false;
      sessions.touch(s);
    }
  }

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      if (url.pathname === RESOURCE_METADATA_PATH || url.pathname === RESOURCE_METADATA_PATH + MCP_PATH) {
        res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 200 : 405, {
          'content-type': 'application/json',
          'access-control-allow-origin': '*',
        });
        res.end(JSON.stringify(metadata(), null, 2));
        return true;
      }
      if (url.pathname !== MCP_PATH && url.pathname !== MCP_PATH + '/') return false;
      const origin = req.headers.origin;
      const refused = guard.check(req.headers.host, origin);
      if (refused) {
        rpcError(res, 403, -32000, refused);
        return true;
      }
      if (origin) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('access-control-expose-headers', EXPOSED);
        res.setHeader('vary', 'origin');
      }
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, DELETE',
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': '600',
        });
        res.end();
        return true;
      }
      try {
        const p = await authenticate(req, res);
        if (!p) return true;
        if (req.method === 'POST') await post(req, res, url, p);
        else if (req.method === 'GET') await get(req, res, p);
        else if (req.method === 'DELETE') {
          const s = await session(req, res, p);
          if (s) {
            await sessions.end(s.id);
            res.writeHead(200).end();
          }
        } else rpcError(res, 405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
      } catch (e) {
        d.log.error('mcp request failed', { method: req.method, error: (e as Error)?.stack ?? String(e) });
        rpcError(res, 500, -32603, 'internal error');
      }
      return true;
    },
    close: () => {
      offRevoked();
      return sessions.close();
    },
  };
}

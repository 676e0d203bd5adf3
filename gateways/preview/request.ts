// Reading a preview request's credentials and making the request the app
// sees: Berth's credentials removed (preview token header and query, Berth's
// cookie, an Authorization that carried a Berth key), hop-by-hop headers
// dropped, X-Forwarded-* set.
import type http from 'node:http';
import { PREVIEW_COOKIE_NAME, type PreviewCredentials } from '../../orchestrator/index.js';

export const TOKEN_HEADER = 'x-daytona-preview-token';
export const TOKEN_QUERY = 'DAYTONA_SANDBOX_AUTH_KEY';
export const SKIP_ACTIVITY_HEADER = 'x-daytona-skip-last-activity-update';

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
];

/** The peer this hop appends to X-Forwarded-For (limits use the client behind trusted proxies: http/client-address.ts). */
const peerAddress = (req: http.IncomingMessage): string | undefined => req.socket.remoteAddress;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The request target without the preview token in its query, and the token if it was there. */
function splitQueryToken(url: string): { url: string; token?: string } {
  const q = url.indexOf('?');
  if (q < 0) return { url };
  let token: string | undefined;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((part) => {
      const eq = part.indexOf('=');
      let name = eq < 0 ? part : part.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        return true;
      }
      if (name !== TOKEN_QUERY) return true;
      try {
        token ??= decodeURIComponent((eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '));
      } catch {
        token ??= '';
      }
      return false;
    });
  return { url: url.slice(0, q) + (kept.length ? `?${kept.join('&')}` : ''), token };
}

/** Cookie header without Berth's cookie; undefined when nothing is left. */
function splitCookie(header: string | undefined): { rest?: string; value?: string } {
  if (!header) return {};
  let value: string | undefined;
  const rest = header
    .split(';')
    .filter((part) => {
      const i = part.indexOf('=');
      if (i > 0 && part.slice(0, i).trim() === PREVIEW_COOKIE_NAME) {
        value ??= part.slice(i + 1).trim();
        return false;
      }
      return true;
    })
    .map((p) => p.trim())
    .filter(Boolean)
    .join('; ');
  return { rest: rest || undefined, value };
}

export interface PreviewRequest {
  creds: PreviewCredentials;
  /** Removes the credentials from `req` (before it is forwarded); `stripBearer` when Authorization carried a Berth key. */
  strip(stripBearer: boolean): void;
}

export function readPreviewRequest(req: http.IncomingMessage): PreviewRequest {
  const q = splitQueryToken(req.url ?? '/');
  const c = splitCookie(first(req.headers.cookie));
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(first(req.headers.authorization) ?? '')?.[1];
  const header = first(req.headers[TOKEN_HEADER]);
  return {
    creds: { previewToken: header || q.token || undefined, bearer, cookie: c.value },
    strip(stripBearer) {
      req.url = q.url;
      delete req.headers[TOKEN_HEADER];
      if (c.rest) req.headers.cookie = c.rest;
      else delete req.headers.cookie;
      if (stripBearer) delete req.headers.authorization;
    },
  };
}

/**
 * Drops hop-by-hop headers (and those the Connection header names) and sets
 * X-Forwarded-*, on the request before it is forwarded (http-proxy copies its
 * headers). Returns whether the client asked to close its connection.
 */
export function forwardHeaders(req: http.IncomingMessage, upgrade: boolean): { close: boolean } {
  const h = req.headers;
  const named = (first(h.connection) ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of [...HOP_BY_HOP, ...named]) {
    if (upgrade && (name === 'connection' || name === 'upgrade')) continue;
    delete h[name];
  }
  if (upgrade) h.connection = 'upgrade';
  delete h[SKIP_ACTIVITY_HEADER];
  const ip = peerAddress(req) ?? '';
  const prior = first(h['x-forwarded-for']);
  h['x-forwarded-for'] = prior ? `${prior}, ${ip}` : ip;
  h['x-forwarded-host'] = first(h['x-forwarded-host']) ?? h.host ?? '';
  h['x-forwarded-proto'] =
    first(h['x-forwarded-proto']) ?? ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  h['x-forwarded-port'] = first(h['x-forwarded-port']) ?? String(req.socket.localPort ?? '');
  return { close: named.includes('close') };
}

/** Hop-by-hop headers of the app's response (Node sets its own framing and connection headers). */
export function dropResponseHopByHop(headers: http.IncomingHttpHeaders): void {
  const named = (first(headers.connection) ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of [...HOP_BY_HOP, ...named]) delete headers[name];
}

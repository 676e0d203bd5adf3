// The web UI's session cookie at the HTTP edge: reading it, its attributes,
// and the checks that keep other pages from riding on it. SameSite=Strict does
// not separate `localhost` from `*.localhost` preview pages (one site), so a
// cookie-authenticated request must also name this server as its Origin and
// carry a header no cross-origin page can send without a CORS preflight,
// which this server never grants.
import type http from 'node:http';
import { AppError } from '../common/errors.js';
import type { Config } from '../common/config.js';

export const SESSION_COOKIE = 'berth_session';
/** Sent by the web UI on every API call; a plain cross-origin request cannot carry it. */
export const CSRF_HEADER = 'x-berth-csrf';

type Headers = http.IncomingHttpHeaders;

/** The session token in a Cookie header, if any. */
export function sessionToken(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** Whether `host` (a Host header) is a preview host, which is never the UI's. */
export function isPreviewHost(host: string | undefined, config: Pick<Config, 'previewDomain'>): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return name.endsWith(`.${config.previewDomain}`);
}

/** Whether `origin` is this server as the browser reached it (its Host) or as configured (BERTH_PUBLIC_URL). */
export function isOwnOrigin(
  origin: string | undefined,
  host: string | undefined,
  config: Pick<Config, 'publicUrl' | 'previewDomain'>,
): boolean {
  if (!origin || origin === 'null') return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.origin === new URL(config.publicUrl).origin) return true;
  return (
    !!host &&
    o.host === host.toLowerCase() &&
    !isPreviewHost(host, config) &&
    (o.protocol === 'http:' || o.protocol === 'https:')
  );
}

const refuse = (what: string) =>
  new AppError('forbidden', `cookie-authenticated request refused: ${what}`, {
    hint: `the web UI's session cookie works only for the web UI itself (same Origin and the ${CSRF_HEADER} header); other clients send \`Authorization: Bearer <api key>\``,
    reason: 'CSRF',
  });

/** Throws unless a request riding on the session cookie comes from the web UI (Origin check + custom header). */
export function checkCookieRequest(
  method: string,
  headers: Headers,
  config: Pick<Config, 'publicUrl' | 'previewDomain'>,
): void {
  if (!headers[CSRF_HEADER]) throw refuse(`missing ${CSRF_HEADER} header`);
  // Browsers send Origin on every request that may change state; reads may lack it.
  const reads = method === 'GET' || method === 'HEAD';
  const origin = headers.origin;
  if ((origin || !reads) && !isOwnOrigin(origin, headers.host, config))
    throw refuse(`Origin ${origin ?? '(none)'} is not this server`);
}

/** Throws unless a WebSocket upgrade riding on the session cookie was opened by a page of this server. */
export function checkCookieUpgrade(headers: Headers, config: Pick<Config, 'publicUrl' | 'previewDomain'>): void {
  if (!isOwnOrigin(headers.origin, headers.host, config))
    throw refuse(`WebSocket Origin ${headers.origin ?? '(none)'} is not this server`);
}

/** Set-Cookie value of a new session: host-only (no Domain), never readable by script. */
export function sessionCookie(token: string, maxAgeSeconds: number, config: Pick<Config, 'publicUrl'>): string {
  const secure = config.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; SameSite=Strict${secure}`;
}

export const clearedSessionCookie = (config: Pick<Config, 'publicUrl'>): string => sessionCookie('', 0, config);

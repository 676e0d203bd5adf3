// CORS on preview hosts, off unless BERTH_PREVIEW_CORS_ORIGINS names who may
// call. Off, the proxy adds nothing and a preflight goes to the app like any
// request (without credentials, so a private preview refuses it). On, for an
// allowed Origin only, the proxy answers preflights itself — they never carry
// credentials, so the app could not have — and marks responses (the app's and
// the proxy's own errors) as readable with credentials by that origin.
import type http from 'node:http';

export interface PreviewCors {
  /** The headers to add for this request's Origin, or null when it is not allowed (or CORS is off). */
  headersFor(req: http.IncomingMessage, label: string): Record<string, string> | null;
  /** Answers a CORS preflight from an allowed origin; false when the request is not one (it goes on). */
  preflight(req: http.IncomingMessage, res: http.ServerResponse, label: string): boolean;
  /** Puts `headers` on the app's response, replacing the app's own allowed origin. */
  applyToResponse(res: http.IncomingMessage, headers: Record<string, string>): void;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** `origins`: exact origins, and/or `sandbox` (the sandbox's other preview hosts under `domain`). */
export function previewCors(origins: readonly string[], domain: string): PreviewCors {
  const exact = new Set(origins.filter((o) => o !== 'sandbox'));
  const sameSandbox = origins.includes('sandbox');
  const allowed = (origin: string, label: string): boolean => {
    if (exact.has(origin.toLowerCase())) return true;
    if (!sameSandbox) return false;
    let host: string;
    try {
      host = new URL(origin).hostname.toLowerCase();
    } catch {
      return false;
    }
    const suffix = `.${domain}`;
    return host.endsWith(suffix) && new RegExp(`^[1-9][0-9]{0,4}-${label}$`).test(host.slice(0, -suffix.length));
  };
  const headersFor: PreviewCors['headersFor'] = (req, label) => {
    const origin = first(req.headers.origin);
    if (!origin || !origins.length || !allowed(origin, label)) return null;
    return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
  };
  return {
    headersFor,
    preflight(req, res, label) {
      if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
      const h = headersFor(req, label);
      if (!h) return false;
      const method = first(req.headers['access-control-request-method'])!;
      const asked = first(req.headers['access-control-request-headers']);
      res.writeHead(204, {
        ...h,
        'access-control-allow-methods': method,
        ...(asked ? { 'access-control-allow-headers': asked } : {}),
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      });
      res.end();
      return true;
    },
    applyToResponse(res, headers) {
      // The app's other CORS headers (exposed headers, say) stay.
      delete res.headers['access-control-allow-origin'];
      delete res.headers['access-control-allow-credentials'];
      const vary = first(res.headers.vary);
      Object.assign(res.headers, headers, { vary: vary ? `${vary}, Origin` : 'Origin' });
    },
  };
}

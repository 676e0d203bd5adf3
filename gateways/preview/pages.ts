// What the preview proxy answers itself: errors as JSON for API clients and
// as a small page for browsers (which also explains how to get access), and
// the "starting…" page that reloads itself while a sandbox wakes up.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { AppError, HTTP_STATUS } from '../../common/errors.js';

export const wantsHtml = (req: http.IncomingMessage): boolean => /\btext\/html\b/i.test(req.headers.accept ?? '');

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}<title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>${escape(title)}</h1>${body}<p><small>Berth preview</small></p></body></html>`;
}

const ACCESS_HELP = `<p>To open it, use a link made for you:</p><ul>
<li>a signed link: <code>berth sandbox preview &lt;sandbox&gt; &lt;port&gt; --signed</code> (or <code>GET /api/sandbox/{id}/ports/{port}/signed-preview-url</code>);</li>
<li>or send <code>X-Daytona-Preview-Token</code> (from <code>GET /api/sandbox/{id}/ports/{port}/preview-url</code>) or <code>Authorization: Bearer &lt;api key&gt;</code>;</li>
<li>or make the sandbox public: <code>POST /api/sandbox/{id}/public/true</code>.</li></ul>`;

/** The status, JSON body and page for an error. */
function render(e: AppError): { status: number; json: string; html: string } {
  const status = HTTP_STATUS[e.code];
  const json = JSON.stringify({
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    code: e.code,
    ...(e.reason ? { reason: e.reason } : {}),
    message: e.message,
    ...(e.hint ? { hint: e.hint } : {}),
    source: 'BERTH_PREVIEW',
  });
  const title =
    e.code === 'unauthorized'
      ? 'This preview is private'
      : e.code === 'bad_gateway'
        ? 'Nothing to show yet'
        : (STATUS_CODES[status] ?? 'Error');
  const body = `<p>${escape(e.message)}.</p>${e.code === 'unauthorized' ? ACCESS_HELP : e.hint ? `<p>${escape(e.hint)}</p>` : ''}`;
  return { status, json, html: page(title, body) };
}

export function sendError(req: http.IncomingMessage, res: http.ServerResponse, e: AppError): void {
  const r = render(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const html = wantsHtml(req);
  const text = html ? r.html : r.json;
  res.writeHead(r.status, {
    'content-type': html ? 'text/html; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(e.code === 'unauthorized' && !html ? { 'www-authenticate': 'Bearer realm="berth-preview"' } : {}),
    ...(e.code === 'rate_limited' && e.details?.retryAfterSeconds
      ? { 'retry-after': String(e.details.retryAfterSeconds) }
      : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Refuses an upgrade with a plain HTTP response, then closes the socket. */
export function refuseUpgrade(socket: Duplex, e: AppError): void {
  // Once the app's answer went out (101 or its own refusal), there is nothing left to say.
  if (!socket.writable || ((socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0) > 0)
    return void socket.destroy();
  const r = render(e);
  socket.end(
    `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(r.json)}\r\nconnection: close\r\n\r\n${r.json}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Tells a browser the sandbox is starting; the page reloads itself until the app answers. */
export function sendStarting(res: http.ServerResponse, sandboxId: string, state: string): void {
  const html = page(
    'Starting the sandbox…',
    `<p>Sandbox <code>${escape(sandboxId)}</code> is ${escape(state === 'stopped' || state === 'archived' ? 'starting' : state)}. This page reloads itself in a few seconds.</p>`,
    2,
  );
  res.writeHead(503, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'retry-after': '2',
    'cache-control': 'no-store',
  });
  res.end(html);
}

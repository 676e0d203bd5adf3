// A minimal router for the daemon's HTTP/2 API. Each feature module registers
// its routes; errors become JSON AppErrors the runner rebuilds on its side.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { z } from 'zod';
import { AppError, HTTP_STATUS } from '../common/errors.js';

export interface Call {
  req: Http2ServerRequest;
  res: Http2ServerResponse;
  url: URL;
  query: URLSearchParams;
  params: Record<string, string>;
}

export type Handler = (call: Call) => Promise<void> | void;

export function sendJson(res: Http2ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length });
  res.end(data);
}

export function sendError(res: Http2ServerResponse, err: unknown): void {
  const e = err instanceof AppError ? err : new AppError('internal', (err as Error)?.message ?? String(err));
  if (res.headersSent) {
    // Mid-stream failure: the only honest signal left is an aborted stream.
    res.stream.close(0x2 /* INTERNAL_ERROR */);
    return;
  }
  sendJson(res, HTTP_STATUS[e.code], e.toJSON());
}

export async function readJson<S extends z.ZodTypeAny>(
  req: Http2ServerRequest,
  schema: S,
  limit = 8 << 20,
): Promise<z.output<S>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new AppError('payload_too_large', `request body over ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  let raw: unknown;
  try {
    raw = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  } catch {
    throw new AppError('invalid_argument', 'request body is not valid JSON', { reason: 'INVALID_REQUEST_BODY' });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new AppError('invalid_argument', msg, { reason: 'INVALID_REQUEST_BODY' });
  }
  return parsed.data;
}

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  async dispatch(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const url = new URL(req.url, 'http://daemon');
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    for (const r of this.routes) {
      if (r.method !== req.method || r.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < r.parts.length; i++) {
        const p = r.parts[i]!;
        if (p.startsWith(':')) params[p.slice(1)] = segs[i]!;
        else if (p !== segs[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      try {
        await r.handler({ req, res, url, query: url.searchParams, params });
      } catch (err) {
        sendError(res, err);
      }
      return;
    }
    sendError(res, new AppError('not_found', `no daemon route ${req.method} ${url.pathname}`, { reason: 'NOT_FOUND' }));
  }
}

// What a remote runner serves on its link: GET /info and /usage (reports),
// POST /rpc/<method> (RunnerClient calls, JSON in and out), and any stream
// marked with the sandbox header, forwarded as it is to that sandbox's daemon
// (request and response headers and bodies piped both ways, so HTTP/2 flow
// control carries through end to end), and images and sandbox archives as
// streamed tars (POST /images/load, GET /images/save, POST /archives/write,
// GET /archives/read).
import http2 from 'node:http2';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, HTTP_STATUS } from '../../common/errors.js';
import {
  ARCHIVE_READ_PATH,
  ARCHIVE_SANDBOX_HEADER,
  ARCHIVE_WRITE_PATH,
  IMAGE_LOAD_PATH,
  IMAGE_REF_HEADER,
  IMAGE_SAVE_PATH,
  REMOTE_RUNNER_METHODS,
  RUNNER_RPC_PREFIX,
  SANDBOX_STREAM_HEADER,
  type RemoteRunnerMethod,
} from '../../common/wire/runner-link.js';
import type { Logger } from '../../common/log.js';
import type { Runner } from '../index.js';

export interface LinkServeDeps {
  runner: Runner;
  reports: Record<string, () => Promise<unknown>>;
  log: Logger;
}

/**
 * Flow-control windows the runner grants the API on its link (HTTP/2's 64 KiB
 * default makes a busy host's sender wait on every window update: an image
 * went at half the speed of `docker save | docker load`). Only this direction is
 * wide: the API keeps the default for what the runner sends it, so the two ends can
 * never both block writing to the link (REVIEW 40).
 */
const STREAM_WINDOW = 4 << 20;
const SESSION_WINDOW = 32 << 20;

/** HTTP/2 DATA frames (16 KiB) gathered into larger writes to the engine. */
function batches(size = 256 << 10): Transform {
  let held: Buffer[] = [];
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      held.push(chunk);
      n += chunk.length;
      if (n < size) return cb();
      const out = Buffer.concat(held, n);
      held = [];
      n = 0;
      cb(null, out);
    },
    flush(cb) {
      cb(null, n ? Buffer.concat(held, n) : undefined);
    },
  });
}

/** Largest RPC request body (arguments are specs and ids). */
const MAX_RPC_BYTES = 1 << 20;

const { HTTP2_HEADER_METHOD: METHOD, HTTP2_HEADER_PATH: PATH, HTTP2_HEADER_STATUS: STATUS } = http2.constants;

function json(stream: http2.ServerHttp2Stream, status: number, body: unknown): void {
  if (stream.destroyed) return;
  if (!stream.headersSent) stream.respond({ [STATUS]: status, 'content-type': 'application/json' });
  stream.end(JSON.stringify(body));
}

const asAppError = (e: unknown) => (e instanceof AppError ? e : new AppError('internal', (e as Error)?.message));

async function readBody(stream: http2.ServerHttp2Stream): Promise<unknown> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > MAX_RPC_BYTES) throw new AppError('payload_too_large', `runner call over ${MAX_RPC_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : [];
}

export function linkStreamHandler(d: LinkServeDeps) {
  const isMethod = (m: string): m is RemoteRunnerMethod => (REMOTE_RUNNER_METHODS as readonly string[]).includes(m);

  const forward = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, sandboxId: string) => {
    const out: http2.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers))
      if (k !== SANDBOX_STREAM_HEADER && (!k.startsWith(':') || k === METHOD || k === PATH)) out[k] = v;
    const upstream = d.runner.daemonSession(sandboxId).request(out, { endStream: false });
    upstream.on('response', (h) => {
      const back: http2.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(h)) if (!k.startsWith(':') || k === STATUS) back[k] = v;
      if (!stream.destroyed) stream.respond(back);
      pipeline(upstream, stream).catch(() => stream.close(http2.constants.NGHTTP2_CANCEL));
    });
    upstream.on('error', (e) => {
      if (!stream.headersSent) json(stream, 502, asAppError(e).toJSON());
      else stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    stream.on('close', () => {
      if (!upstream.closed) upstream.close(http2.constants.NGHTTP2_CANCEL);
    });
    pipeline(stream, upstream).catch(() => upstream.close(http2.constants.NGHTTP2_CANCEL));
  };

  // The tar is read only as fast as the engine (or the disk) takes it, so the link's flow control paces the sender.
  const takeTar = async (stream: http2.ServerHttp2Stream, keep: (tar: Transform) => Promise<void>) => {
    const batched = batches();
    pipeline(stream, batched).catch(() => {});
    await keep(batched);
    json(stream, 200, { result: null });
  };
  const giveTar = (stream: http2.ServerHttp2Stream, tar: Readable) => {
    stream.respond({ [STATUS]: 200, 'content-type': 'application/x-tar' });
    // A reader that goes away cancels the source (pipeline destroys the tar stream).
    pipeline(tar, stream).catch(() => stream.close(http2.constants.NGHTTP2_CANCEL));
  };

  // The link's session is made by the agent; its windows are widened at its first stream.
  const widened = new WeakSet<http2.Http2Session>();
  const widen = (session: http2.Http2Session | undefined) => {
    if (!session || widened.has(session) || session.destroyed) return;
    widened.add(session);
    session.setLocalWindowSize(SESSION_WINDOW);
    session.settings({ initialWindowSize: STREAM_WINDOW });
  };

  return async (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Promise<void> => {
    stream.on('error', () => {});
    widen(stream.session);
    const method = String(headers[METHOD]);
    const path = String(headers[PATH]);
    const sandboxId = headers[SANDBOX_STREAM_HEADER];
    try {
      if (typeof sandboxId === 'string') return forward(stream, headers, sandboxId);
      if (method === 'GET' && d.reports[path]) return json(stream, 200, await d.reports[path]!());
      if (method === 'POST' && path === IMAGE_LOAD_PATH) return await takeTar(stream, (t) => d.runner.loadImage(t));
      if (method === 'GET' && path === IMAGE_SAVE_PATH)
        return giveTar(stream, await d.runner.saveImage(String(headers[IMAGE_REF_HEADER])));
      const archiveOf = String(headers[ARCHIVE_SANDBOX_HEADER]);
      if (method === 'POST' && path === ARCHIVE_WRITE_PATH)
        return await takeTar(stream, (t) => d.runner.writeArchive(archiveOf, t));
      if (method === 'GET' && path === ARCHIVE_READ_PATH) return giveTar(stream, await d.runner.readArchive(archiveOf));
      const name = path.startsWith(RUNNER_RPC_PREFIX) ? path.slice(RUNNER_RPC_PREFIX.length) : '';
      if (method !== 'POST' || !isMethod(name))
        throw new AppError('not_found', `no link route ${method} ${path}`, { hint: 'a newer API than this runner?' });
      const args = await readBody(stream);
      if (!Array.isArray(args)) throw new AppError('invalid_argument', 'runner call arguments are a JSON array');
      const f = d.runner[name] as (...a: unknown[]) => Promise<unknown>;
      const result = await f.apply(d.runner, args);
      json(stream, 200, { result: result ?? null });
    } catch (e) {
      const err = asAppError(e);
      if (err.code === 'internal') d.log.warn('runner call failed', { path, error: (e as Error)?.stack ?? String(e) });
      json(stream, HTTP_STATUS[err.code], err.toJSON());
    }
  };
}

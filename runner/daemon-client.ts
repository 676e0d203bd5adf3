// Typed calls to one sandbox's daemon over its HTTP/2 link. Each call is one
// stream on the long-lived session: no connection setup per request.
import http2 from 'node:http2';
import { Readable, type Duplex } from 'node:stream';
import { FORWARD_PATH, type TunnelTarget } from '../common/wire/forward.js';
import { pipeline } from 'node:stream/promises';
import { readErrorBody } from '../common/error-body.js';
import { AppError, appErrorFromJSON } from '../common/errors.js';
import type { DaemonHealth, ExecEvent, ExecRequest, ExecResult, FileInfo } from '../common/wire/daemon.js';
import type { DaemonStream, DownloadedFile, FileWriter, SandboxDaemon } from '../common/wire/runner.js';
import {
  POSIX_PATHS,
  type PosixEntry,
  type PosixStat,
  type SetStat,
  type WriteOpen,
  type WriteResult,
} from '../common/wire/posix-files.js';
import type { DaemonLink } from './daemon-link.js';

interface Response {
  status: number;
  headers: http2.IncomingHttpHeaders;
  stream: http2.ClientHttp2Stream;
}

const qs = (query?: Record<string, string | undefined>) => {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
};

async function readAll(stream: Readable, limit = 64 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) throw new AppError('payload_too_large', `daemon answer over ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Where a client's streams go: a sandbox's own link, or a remote runner's link to it (runner/remote/). */
export type DaemonSessions = Pick<DaemonLink, 'sandboxId' | 'current'>;

export class DaemonClient implements SandboxDaemon {
  constructor(private readonly link: DaemonSessions) {}

  /** `endStream` false keeps the request side open with no body yet (tunnels). */
  private request(
    method: string,
    path: string,
    body?: Buffer | Readable | null,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
    endStream = !body,
  ): Promise<Response> {
    const session = this.link.current();
    return new Promise((resolve, reject) => {
      const stream = session.request({ ':method': method, ':path': path, ...headers }, { endStream, signal });
      stream.once('response', (h) => resolve({ status: Number(h[':status']), headers: h, stream }));
      stream.once('error', (e) => reject(this.transportError(e)));
      if (body instanceof Readable) {
        pipeline(body, stream).catch((e) => {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(e instanceof AppError ? e : this.transportError(e));
        });
      } else if (body) stream.end(body);
    });
  }

  private transportError(e: unknown): AppError {
    if (e instanceof AppError) return e;
    const name = (e as Error)?.name;
    if (name === 'AbortError') return new AppError('unavailable', 'the request was cancelled', { reason: 'CANCELLED' });
    return new AppError(
      'unavailable',
      `lost the connection to sandbox ${this.link.sandboxId}: ${(e as Error)?.message ?? e}`,
      {
        hint: 'the sandbox may have stopped or restarted; check its state and retry',
        reason: 'DAEMON_UNREACHABLE',
      },
    );
  }

  private async fail(res: Response): Promise<never> {
    throw await readErrorBody(res.stream, res.status, 'daemon');
  }

  private async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const res = await this.request(
      method,
      path,
      payload,
      payload ? { 'content-type': 'application/json' } : {},
      signal,
    );
    if (res.status >= 300) return this.fail(res);
    const buf = await readAll(res.stream);
    return (buf.length ? JSON.parse(buf.toString('utf8')) : undefined) as T;
  }

  health(): Promise<DaemonHealth> {
    return this.json('GET', '/health');
  }

  async exec(
    req: ExecRequest,
    opts: { signal?: AbortSignal; onEvent?: (ev: ExecEvent) => void } = {},
  ): Promise<ExecResult> {
    const res = await this.request(
      'POST',
      '/process/exec',
      Buffer.from(JSON.stringify(req)),
      { 'content-type': 'application/json' },
      opts.signal,
    );
    if (res.status >= 300) return this.fail(res);
    let stdout = '';
    let stderr = '';
    let output = '';
    let exit: ExecResult | null = null;
    let pending = '';
    res.stream.setEncoding('utf8');
    try {
      for await (const chunk of res.stream) {
        pending += chunk as string;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (!line) continue;
          const ev = JSON.parse(line) as ExecEvent;
          opts.onEvent?.(ev);
          if (ev.type === 'stdout') {
            stdout += ev.data;
            output += ev.data;
          } else if (ev.type === 'stderr') {
            stderr += ev.data;
            output += ev.data;
          } else if (ev.type === 'exit') exit = { ...ev.result, stdout, stderr, output };
        }
      }
    } catch (e) {
      throw this.transportError(e);
    }
    if (!exit)
      throw new AppError('unavailable', 'the command stream ended before the command finished', {
        reason: 'DAEMON_UNREACHABLE',
        hint: 'the sandbox may have been stopped while the command ran',
      });
    return exit;
  }

  list(path: string, depth = 1): Promise<FileInfo[]> {
    return this.json('GET', `/files/list${qs({ path, depth: String(depth) })}`);
  }

  stat(path: string): Promise<FileInfo> {
    return this.json('GET', `/files/info${qs({ path })}`);
  }

  mkdir(path: string, mode?: string): Promise<FileInfo> {
    return this.json('POST', `/files/mkdir${qs({ path, mode })}`);
  }

  async remove(path: string, recursive: boolean): Promise<void> {
    await this.json('DELETE', `/files${qs({ path, recursive: String(recursive) })}`);
  }

  move(source: string, destination: string, overwrite = false): Promise<FileInfo> {
    return this.json('POST', `/files/move${qs({ source, destination, overwrite: String(overwrite) })}`);
  }

  async download(path: string, signal?: AbortSignal, offset?: number): Promise<DownloadedFile> {
    const res = await this.request(
      'GET',
      `/files/content${qs({ path, offset: offset ? String(offset) : undefined })}`,
      null,
      {},
      signal,
    );
    if (res.status >= 300) return this.fail(res);
    return {
      size: Number(res.headers['content-length'] ?? -1),
      mode: res.headers['x-berth-mode'] as string | undefined,
      stream: res.stream,
    };
  }

  async upload(path: string, body: Readable, opts: { mode?: string; signal?: AbortSignal } = {}): Promise<FileInfo> {
    const res = await this.request(
      'PUT',
      `/files/content${qs({ path, mode: opts.mode })}`,
      body,
      { 'content-type': 'application/octet-stream' },
      opts.signal,
    );
    if (res.status >= 300) return this.fail(res);
    return JSON.parse((await readAll(res.stream)).toString('utf8')) as FileInfo;
  }

  posixStat(path: string, follow = true): Promise<PosixStat> {
    return this.json('GET', `${POSIX_PATHS.stat}${qs({ path, follow: String(follow) })}`);
  }

  posixList(path: string): Promise<PosixEntry[]> {
    return this.json('GET', `${POSIX_PATHS.list}${qs({ path })}`);
  }

  async realpath(path: string): Promise<string> {
    return (await this.json<{ path: string }>('GET', `${POSIX_PATHS.realpath}${qs({ path })}`)).path;
  }

  async readlink(path: string): Promise<string> {
    return (await this.json<{ target: string }>('GET', `${POSIX_PATHS.readlink}${qs({ path })}`)).target;
  }

  async symlink(target: string, path: string): Promise<void> {
    await this.json('POST', `${POSIX_PATHS.symlink}${qs({ path, target })}`);
  }

  async mkdirExact(path: string, mode?: string): Promise<void> {
    await this.json('POST', `${POSIX_PATHS.mkdir}${qs({ path, mode })}`);
  }

  async setstat(path: string, attrs: SetStat): Promise<void> {
    await this.json('POST', `${POSIX_PATHS.setstat}${qs({ path })}`, attrs);
  }

  async openWrite(path: string, how: WriteOpen, signal?: AbortSignal): Promise<FileWriter> {
    const flag = (b: boolean | undefined) => (b ? 'true' : undefined);
    const query = qs({
      path,
      offset: String(how.offset),
      create: flag(how.create),
      truncate: flag(how.truncate),
      exclusive: flag(how.exclusive),
      append: flag(how.append),
      mode: how.mode,
    });
    const res = await this.request(
      'PUT',
      `${POSIX_PATHS.write}${query}`,
      null,
      { 'content-type': 'application/octet-stream' },
      signal,
      false,
    );
    if (res.status >= 300) return this.fail(res);
    const done = readAll(res.stream, 1 << 20).then(
      (buf) => {
        let r: WriteResult;
        try {
          r = JSON.parse(buf.toString('utf8')) as WriteResult;
        } catch {
          throw new AppError('unavailable', 'the write ended without a result from the sandbox', {
            reason: 'DAEMON_UNREACHABLE',
            hint: 'the sandbox may have stopped during the write',
          });
        }
        if (!r.ok) throw appErrorFromJSON(r.error, 'the write failed');
        return r.written;
      },
      (e) => {
        throw this.transportError(e);
      },
    );
    done.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
    return { body: res.stream, done };
  }

  async open(
    method: string,
    path: string,
    opts: {
      query?: Record<string, string | undefined>;
      headers?: Record<string, string>;
      signal?: AbortSignal;
      endRequest?: boolean;
    } = {},
  ): Promise<DaemonStream> {
    const session = this.link.current();
    const stream = session.request(
      { ':method': method, ':path': `${path}${qs(opts.query)}`, ...opts.headers },
      { endStream: opts.endRequest ?? false, signal: opts.signal },
    );
    return new Promise((resolve, reject) => {
      stream.once('response', (h) =>
        resolve({ status: Number(h[':status']), headers: h as DaemonStream['headers'], stream }),
      );
      stream.once('error', (e) => reject(this.transportError(e)));
    });
  }

  async tunnel(target: TunnelTarget, signal?: AbortSignal): Promise<Duplex> {
    const query = qs({ port: String(target.port), host: target.host });
    const res = await this.request('POST', `${FORWARD_PATH}${query}`, null, {}, signal, false);
    if (res.status >= 300) return this.fail(res);
    return res.stream;
  }

  call<T = unknown>(
    method: string,
    path: string,
    opts: { query?: Record<string, string | undefined>; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<T> {
    return this.json(method, `${path}${qs(opts.query)}`, opts.body, opts.signal);
  }
}

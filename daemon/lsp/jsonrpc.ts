// JSON-RPC 2.0 with LSP's Content-Length framing, over a language server's
// stdio. Server-to-client requests get a handler's answer (or null), so
// servers that ask for configuration or progress tokens never stall.
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../../common/errors.js';

const MAX_MESSAGE = 64 << 20;

/** Incremental reader of `Content-Length: N\r\n\r\n<N bytes of JSON>` messages. */
export class MessageReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): unknown[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: unknown[] = [];
    for (;;) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.pending.length > 8192) throw new Error('LSP header too long');
        break;
      }
      const header = this.pending.subarray(0, end).toString('ascii');
      const m = /(?:^|\r\n)content-length:\s*(\d+)/i.exec(header);
      if (!m) throw new Error(`LSP message without Content-Length: ${JSON.stringify(header.slice(0, 200))}`);
      const len = Number(m[1]);
      if (len > MAX_MESSAGE) throw new Error(`LSP message of ${len} bytes exceeds the limit`);
      if (this.pending.length < end + 4 + len) break;
      const body = this.pending.subarray(end + 4, end + 4 + len).toString('utf8');
      this.pending = this.pending.subarray(end + 4 + len);
      out.push(JSON.parse(body));
    }
    return out;
  }
}

export function encodeMessage(msg: unknown): Buffer {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...(msg as object) }), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface RpcHandlers {
  onNotification(method: string, params: unknown): void;
  /** Answer to a request from the server; undefined answers null. */
  onRequest(method: string, params: unknown): unknown;
}

export class JsonRpc {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failed: Error | null = null;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly handlers: RpcHandlers,
  ) {
    const reader = new MessageReader();
    input.on('data', (chunk: Buffer) => {
      let messages: unknown[];
      try {
        messages = reader.push(chunk);
      } catch (e) {
        this.dispose(new AppError('internal', `the language server sent garbage: ${(e as Error).message}`, { reason: 'LSP_PROTOCOL_ERROR' }));
        return;
      }
      for (const m of messages) this.dispatch(m as Record<string, unknown>);
    });
    output.on('error', (e) => this.dispose(e));
  }

  request<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.notify('$/cancelRequest', { id });
        reject(new AppError('timeout', `the language server did not answer ${method} within ${Math.round(timeoutMs / 1000)} s`, { reason: 'LSP_TIMEOUT', hint: 'the server may still be indexing a large project; retry shortly' }));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.output.write(encodeMessage({ id, method, params }));
    });
  }

  notify(method: string, params: unknown): void {
    if (!this.failed) this.output.write(encodeMessage({ method, params }));
  }

  /** Fails every waiting request (the server exited or broke the protocol). */
  dispose(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private dispatch(m: Record<string, unknown>): void {
    if (typeof m.method === 'string') {
      if (m.id === undefined) {
        this.handlers.onNotification(m.method, m.params);
        return;
      }
      let result: unknown = null;
      try {
        result = this.handlers.onRequest(m.method, m.params) ?? null;
      } catch {
        result = null;
      }
      this.output.write(encodeMessage({ id: m.id, result }));
      return;
    }
    const p = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
    if (!p) return;
    this.pending.delete(m.id as number);
    clearTimeout(p.timer);
    const error = m.error as { message?: string; code?: number } | undefined;
    if (error) p.reject(new AppError('internal', `language server error: ${error.message ?? 'unknown'} (${error.code ?? '?'})`, { reason: 'LSP_REQUEST_FAILED' }));
    else p.resolve(m.result);
  }
}

// JSON-RPC 2.0 over a language server's stdio, through vscode-jsonrpc (LSP's
// Content-Length framing, ids, $/cancelRequest). Server-to-client requests get
// a handler's answer (or null), so servers that ask for configuration or
// progress tokens never stall; every request has a deadline.
import type { Readable, Writable } from 'node:stream';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { AppError } from '../../common/errors.js';
import { requireFromBundle } from '../bundle-require.js';

export type RpcLibrary = typeof import('vscode-jsonrpc/node');

/**
 * vscode-jsonrpc is a file of its own next to the bundle (scripts/bundle-daemon.mjs),
 * read when the first language server starts, so it costs no sandbox's start.
 */
export const loadRpcLibrary = (bundleDir: string) =>
  requireFromBundle<RpcLibrary>(bundleDir, 'jsonrpc.cjs', 'vscode-jsonrpc/node');

export interface RpcHandlers {
  onNotification(method: string, params: unknown): void;
  /** Answer to a request from the server; undefined answers null. */
  onRequest(method: string, params: unknown): unknown;
}

export class JsonRpc {
  private readonly conn: MessageConnection;
  private readonly waiting = new Set<(e: Error) => void>();
  private failed: Error | null = null;

  constructor(
    private readonly lib: RpcLibrary,
    input: Readable,
    output: Writable,
    handlers: RpcHandlers,
  ) {
    this.conn = lib.createMessageConnection(new lib.StreamMessageReader(input), new lib.StreamMessageWriter(output));
    this.conn.onNotification((method, params) => handlers.onNotification(method, params));
    this.conn.onRequest((method, params) => {
      try {
        return handlers.onRequest(method, params) ?? null;
      } catch {
        return null;
      }
    });
    // A read error is a message we could not parse; a write error comes with the message it failed to send.
    this.conn.onError(([e, unsent]) =>
      this.dispose(
        unsent
          ? e
          : new AppError('internal', `the language server sent garbage: ${e.message}`, {
              reason: 'LSP_PROTOCOL_ERROR',
            }),
      ),
    );
    this.conn.listen();
  }

  request<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const cancel = new this.lib.CancellationTokenSource();
    return new Promise<T>((resolve, reject) => {
      const settle = (e: Error | null, v?: T) => {
        if (!this.waiting.delete(fail)) return;
        clearTimeout(timer);
        cancel.dispose();
        if (e) reject(e);
        else resolve(v as T);
      };
      const fail = (e: Error) => settle(e);
      this.waiting.add(fail);
      const timer = setTimeout(() => {
        cancel.cancel();
        settle(
          new AppError(
            'timeout',
            `the language server did not answer ${method} within ${Math.round(timeoutMs / 1000)} s`,
            { reason: 'LSP_TIMEOUT', hint: 'the server may still be indexing a large project; retry shortly' },
          ),
        );
      }, timeoutMs);
      this.conn.sendRequest<T>(method, params ?? null, cancel.token).then(
        (v) => settle(null, v),
        (e: { code?: number; message?: string }) => {
          // A connection that closed or was disposed leaves the request to dispose() (with why) or the deadline.
          if (e instanceof this.lib.ResponseError && e.code !== this.lib.ErrorCodes.PendingResponseRejected) {
            settle(
              new AppError('internal', `language server error: ${e.message} (${e.code})`, {
                reason: 'LSP_REQUEST_FAILED',
              }),
            );
          }
        },
      );
    });
  }

  notify(method: string, params: unknown): void {
    if (!this.failed) void this.conn.sendNotification(method, params ?? null).catch(() => {});
  }

  /** Fails every waiting request (the server exited or broke the protocol). */
  dispose(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    for (const fail of [...this.waiting]) fail(err);
    this.conn.dispose();
  }
}

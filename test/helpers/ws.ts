// Real WebSocket clients (the `ws` package, as the Daytona SDK uses in Node)
// for toolbox socket tests: open with auth and subprotocols, record every
// message, wait for output or the close.
import { WebSocket } from 'ws';
import type { Stack } from './stack.js';
import type { Json } from './json.js';

export interface Received {
  data: Buffer;
  binary: boolean;
}

export class WsClient {
  readonly messages: Received[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, binary) => {
      this.messages.push({ data: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), binary });
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    void this.closed.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  /** All binary output so far, as text. */
  output(): string {
    return Buffer.concat(this.messages.filter((m) => m.binary).map((m) => m.data)).toString('utf8');
  }

  /** Text messages parsed as JSON (non-JSON ones are skipped). */
  json(): Json[] {
    const out: unknown[] = [];
    for (const m of this.messages) {
      if (m.binary) continue;
      try {
        out.push(JSON.parse(m.data.toString('utf8')));
      } catch {
        /* not JSON */
      }
    }
    return out;
  }

  async waitFor(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; output so far: ${JSON.stringify(this.output().slice(-500))}, texts: ${JSON.stringify(this.json())}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void> {
    const test = () => (typeof text === 'string' ? this.output().includes(text) : text.test(this.output()));
    return this.waitFor(test, `output ${text}`, timeoutMs);
  }

  send(text: string): void {
    this.ws.send(Buffer.from(text, 'utf8'), { binary: true });
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}

export class UpgradeRejected extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(`upgrade rejected with ${status}: ${JSON.stringify(body)}`);
  }
}

/** Opens `ws://…/toolbox/{sandboxId}/{path}`; rejects with UpgradeRejected when the server answers HTTP. */
export function connectWs(
  stack: Stack,
  sandboxId: string,
  path: string,
  opts: { key?: string | null; protocols?: string[] } = {},
): Promise<WsClient> {
  const key = opts.key === undefined ? stack.key : opts.key;
  const url = `${stack.url.replace(/^http/, 'ws')}/toolbox/${sandboxId}/${path}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? [], { headers: key ? { authorization: `Bearer ${key}` } : {} });
    // Register the recorder at once: the server may send before `open` is handled.
    const client = new WsClient(ws);
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        reject(new UpgradeRejected(res.statusCode ?? 0, body));
      });
    });
    ws.once('error', (e) => reject(e));
  });
}

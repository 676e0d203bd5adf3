// A message conversation with a daemon route (common/wire/frames.ts), as the
// edges see it: messages in, messages out, and one close with a code. The
// HTTP edge relays it to a WebSocket; other frontends could drive it directly.
import type { Duplex } from 'node:stream';
import { readErrorBody } from '../../common/error-body.js';
import { binaryFrame, FrameDecoder, textFrame } from '../../common/wire/frames.js';
import type { SandboxDaemon } from '../../common/wire/runner.js';

export interface MessageChannel {
  /** Each message from the daemon: text (string) or binary (Buffer). */
  onMessage(handler: (data: string | Buffer) => void): void;
  /** Fires once: the daemon closed the conversation (its code), or the link to the sandbox broke (1011). */
  onClose(handler: (code: number, reason: string) => void): void;
  sendText(text: string): void;
  /** False when the link to the sandbox is full: wait for `onDrain` before sending more. */
  sendBinary(data: Buffer): boolean;
  /** Calls `handler` once the link can take more after `sendBinary` returned false. */
  onDrain(handler: () => void): void;
  /** The client went away: tells the daemon and releases the stream. */
  end(): void;
  /** Flow control towards the daemon (a slow client pauses the sandbox side). */
  pause(): void;
  resume(): void;
}

// Until the first message handler registers, decoded messages wait in `pending` and the stream
// is paused, so what waits is at most the frames of the chunk that was being read: the
// daemon is held back by TCP/HTTP/2 flow control instead of our memory. A close that comes
// while messages wait is delivered after them.
class DaemonChannel implements MessageChannel {
  private readonly messageHandlers: ((data: string | Buffer) => void)[] = [];
  private readonly closeHandlers: ((code: number, reason: string) => void)[] = [];
  private closed: { code: number; reason: string } | null = null;
  private pending: (string | Buffer)[] | null = [];
  /** The close came while messages were still waiting for a handler. */
  private closeWaits = false;
  /** Paused by the edge (`pause()`), as opposed to by us while nothing listens. */
  private pausedByUser = false;

  constructor(private readonly stream: Duplex) {
    const decoder = new FrameDecoder();
    stream.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        this.finish(1011, `bad data from the sandbox: ${(e as Error).message}`);
        stream.destroy();
        return;
      }
      for (const f of frames) {
        if (f.kind === 'close') this.finish(f.code, f.reason);
        else this.deliver(f.data);
      }
    });
    const lost = () => this.finish(1011, 'lost the connection to the sandbox');
    stream.once('end', lost);
    stream.once('close', lost);
    stream.on('error', () => lost());
  }

  private deliver(data: string | Buffer): void {
    if (this.closed) return;
    if (!this.pending) {
      for (const h of this.messageHandlers) h(data);
      return;
    }
    this.pending.push(data);
    this.stream.pause();
  }

  onMessage(handler: (data: string | Buffer) => void): void {
    this.messageHandlers.push(handler);
    const waiting = this.pending;
    if (!waiting) return;
    this.pending = null;
    for (const m of waiting) for (const h of this.messageHandlers) h(m);
    // Reading on also lets a stream that already closed reach its end and be released.
    if (!this.pausedByUser) this.stream.resume();
    if (this.closeWaits) {
      this.closeWaits = false;
      this.fireClose();
    }
  }

  onClose(handler: (code: number, reason: string) => void): void {
    if (this.closed && !this.closeWaits) handler(this.closed.code, this.closed.reason);
    else this.closeHandlers.push(handler);
  }

  sendText(text: string): void {
    if (!this.closed && this.stream.writable) this.stream.write(textFrame(text));
  }

  sendBinary(data: Buffer): boolean {
    if (!this.closed && this.stream.writable) return this.stream.write(binaryFrame(data));
    return true;
  }

  onDrain(handler: () => void): void {
    if (this.closed || !this.stream.writableNeedDrain) handler();
    else this.stream.once('drain', handler);
  }

  end(): void {
    if (this.stream.writable) this.stream.end();
    // The daemon sees the end of the request and lets go; don't wait for it.
    // eslint-disable-next-line no-restricted-globals -- wall clock: a socket deadline for the daemon
    setTimeout(() => this.stream.destroy(), 1000).unref();
    this.finish(1000, '');
  }

  pause(): void {
    this.pausedByUser = true;
    this.stream.pause();
  }

  resume(): void {
    this.pausedByUser = false;
    // Nothing listens yet: stay paused until a handler registers.
    if (!this.pending?.length) this.stream.resume();
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    if (this.pending?.length) this.closeWaits = true;
    else this.fireClose();
  }

  private fireClose(): void {
    const { code, reason } = this.closed!;
    for (const h of this.closeHandlers.splice(0)) h(code, reason);
  }
}

/** Opens a framed daemon route; errors the daemon answers with (409, 400, …) are thrown before any message flows. */
export async function openChannel(
  daemon: SandboxDaemon,
  path: string,
  opts: { query?: Record<string, string | undefined>; headers?: Record<string, string> } = {},
): Promise<MessageChannel> {
  const s = await daemon.open('POST', path, { query: opts.query, headers: opts.headers, endRequest: false });
  if (s.status >= 300) throw await readErrorBody(s.stream, s.status, 'daemon');
  return new DaemonChannel(s.stream);
}

// The daemon's end of a framed conversation (common/wire/frames.ts) on one
// HTTP/2 stream: the runner bridges it to a client WebSocket, so messages
// here become WebSocket messages there, and `close` decides the close code.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { binaryFrame, closeFrame, FRAMED_CONTENT_TYPE, FrameDecoder, textFrame } from '../common/wire/frames.js';

/** Above this many unsent bytes the stream counts as congested. */
const HIGH_WATER = 1 << 20;

export class FramedStream {
  private ended = false;
  private readonly onTextHandlers: ((text: string) => void)[] = [];
  private readonly onBinaryHandlers: ((data: Buffer) => void)[] = [];
  private readonly onGoneHandlers: (() => void)[] = [];

  constructor(
    private readonly req: Http2ServerRequest,
    private readonly res: Http2ServerResponse,
  ) {
    res.writeHead(200, { 'content-type': FRAMED_CONTENT_TYPE });
    const decoder = new FrameDecoder();
    req.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch {
        this.close(1002, 'malformed frame');
        return;
      }
      for (const f of frames) {
        if (f.kind === 'text') for (const h of this.onTextHandlers) h(f.data);
        else if (f.kind === 'binary') for (const h of this.onBinaryHandlers) h(f.data);
        else this.gone();
      }
    });
    // The client side hangs up by ending its half or resetting the stream.
    req.once('end', () => this.gone());
    res.stream.once('close', () => this.gone());
    res.stream.on('error', () => {});
  }

  onText(h: (text: string) => void): void {
    this.onTextHandlers.push(h);
  }
  onBinary(h: (data: Buffer) => void): void {
    this.onBinaryHandlers.push(h);
  }
  /** The client went away (or `close` was called); fires once. */
  onGone(h: () => void): void {
    if (this.ended) h();
    else this.onGoneHandlers.push(h);
  }

  get open(): boolean {
    return !this.ended && !this.res.stream.destroyed;
  }

  /** True when the peer reads slower than we write. */
  get congested(): boolean {
    return this.res.stream.writableLength > HIGH_WATER;
  }

  /** Stops reading the client's messages (HTTP/2 flow control then holds the client back). */
  pauseInput(): void {
    this.req.pause();
  }
  resumeInput(): void {
    this.req.resume();
  }

  onDrain(h: () => void): void {
    this.res.stream.once('drain', h);
  }

  sendText(text: string): void {
    if (this.open) this.res.write(textFrame(text));
  }
  sendJson(value: unknown): void {
    this.sendText(JSON.stringify(value));
  }
  sendBinary(data: Buffer): void {
    if (this.open) this.res.write(binaryFrame(data));
  }

  /** Ends the conversation; the client's socket closes with this code and reason. */
  close(code: number, reason = ''): void {
    if (this.open) {
      this.res.write(closeFrame(code, reason));
      this.res.end();
    }
    this.gone();
  }

  private gone(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.res.stream.destroyed && !this.res.writableEnded) this.res.end();
    for (const h of this.onGoneHandlers.splice(0)) h();
  }
}

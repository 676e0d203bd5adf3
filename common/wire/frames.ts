// Message framing for WebSocket-like conversations over one HTTP/2 stream
// between the orchestrator and a daemon (PTY, code interpreter). Each frame
// is [kind u8][length u32 BE][payload]; a CLOSE frame carries a WebSocket
// close code (u16 BE) and a UTF-8 reason, so the daemon decides exactly how
// the client's socket ends and the edge only relays.

export const FRAME_TEXT = 1;
export const FRAME_BINARY = 2;
export const FRAME_CLOSE = 3;

/** Content type of a framed daemon stream. */
export const FRAMED_CONTENT_TYPE = 'application/x-berth-frames';

const HEADER = 5;
/** A single frame never exceeds this; larger payloads are a protocol error. */
export const MAX_FRAME_BYTES = 16 << 20;

export type Frame =
  { kind: 'text'; data: string } | { kind: 'binary'; data: Buffer } | { kind: 'close'; code: number; reason: string };

function frame(kind: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt8(kind, 0);
  out.writeUInt32BE(payload.length, 1);
  payload.copy(out, HEADER);
  return out;
}

export const textFrame = (text: string): Buffer => frame(FRAME_TEXT, Buffer.from(text, 'utf8'));
export const binaryFrame = (data: Buffer | Uint8Array): Buffer =>
  frame(FRAME_BINARY, Buffer.from(data.buffer, data.byteOffset, data.byteLength));

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
export function clampReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}

export function closeFrame(code: number, reason = ''): Buffer {
  const r = Buffer.from(clampReason(reason), 'utf8');
  const payload = Buffer.allocUnsafe(2 + r.length);
  payload.writeUInt16BE(code, 0);
  r.copy(payload, 2);
  return frame(FRAME_CLOSE, payload);
}

/** Incremental decoder: feed chunks as they arrive, get whole frames out. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.pending.length >= HEADER) {
      const kind = this.pending.readUInt8(0);
      const len = this.pending.readUInt32BE(1);
      if (len > MAX_FRAME_BYTES) throw new Error(`frame of ${len} bytes exceeds the limit`);
      if (this.pending.length < HEADER + len) break;
      const payload = this.pending.subarray(HEADER, HEADER + len);
      this.pending = this.pending.subarray(HEADER + len);
      if (kind === FRAME_TEXT) out.push({ kind: 'text', data: payload.toString('utf8') });
      else if (kind === FRAME_BINARY) out.push({ kind: 'binary', data: Buffer.from(payload) });
      else if (kind === FRAME_CLOSE)
        out.push({
          kind: 'close',
          code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005,
          reason: payload.subarray(2).toString('utf8'),
        });
      else throw new Error(`unknown frame kind ${kind}`);
    }
    return out;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get buffered(): number {
    return this.pending.length;
  }
}

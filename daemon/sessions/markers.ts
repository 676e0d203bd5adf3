// Finds the end-of-command markers a session shell prints after each command
// (`\x1e<nonce>:<payload>\x1e`) in a byte stream, across chunk boundaries,
// and hands everything else through as data.

export type ScanEvent = { type: 'data'; data: Buffer } | { type: 'marker'; payload: string };

const RS = 0x1e;
const MAX_PAYLOAD = 64;

export class MarkerScanner {
  private pending = Buffer.alloc(0);
  private readonly head: Buffer;

  constructor(nonce: string) {
    this.head = Buffer.from(`\x1e${nonce}:`);
  }

  feed(chunk: Buffer): ScanEvent[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    const out: ScanEvent[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const at = buf.indexOf(this.head, pos);
      if (at < 0) {
        // Keep back a tail that could be the start of a marker split across chunks.
        const keep = this.partialHeadAt(buf, pos);
        if (keep > pos) out.push({ type: 'data', data: buf.subarray(pos, keep) });
        this.pending = Buffer.from(buf.subarray(keep));
        return out;
      }
      if (at > pos) out.push({ type: 'data', data: buf.subarray(pos, at) });
      const close = buf.indexOf(RS, at + this.head.length);
      if (close < 0) {
        if (buf.length - at > this.head.length + MAX_PAYLOAD) {
          // Not one of ours after all (too long): pass the separator through as data.
          out.push({ type: 'data', data: buf.subarray(at, at + 1) });
          pos = at + 1;
          continue;
        }
        this.pending = Buffer.from(buf.subarray(at));
        return out;
      }
      out.push({ type: 'marker', payload: buf.subarray(at + this.head.length, close).toString('latin1') });
      pos = close + 1;
    }
    return out;
  }

  /** Everything held back, when the stream ends. */
  flush(): Buffer {
    const p = this.pending;
    this.pending = Buffer.alloc(0);
    return p;
  }

  /** Index from which `buf` ends with a proper prefix of the marker head (buf.length if none). */
  private partialHeadAt(buf: Buffer, from: number): number {
    const max = Math.min(this.head.length - 1, buf.length - from);
    for (let n = max; n > 0; n--) {
      if (buf.subarray(buf.length - n).equals(this.head.subarray(0, n))) return buf.length - n;
    }
    return buf.length;
  }
}

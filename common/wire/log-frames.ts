// Followed session logs (compat spec §6.4): one byte stream in which three
// marker bytes (01 01 01 for stdout, 02 02 02 for stderr) come before each
// run of that stream's bytes. The daemon writes it; clients that keep the
// two streams apart (`berth sandbox exec`) split it with LogDemuxer.

export type LogStream = 1 | 2;

export const STREAM_MARKS: Readonly<Record<LogStream, Buffer>> = {
  1: Buffer.from([1, 1, 1]),
  2: Buffer.from([2, 2, 2]),
};

/**
 * Splits a followed log back into stdout and stderr bytes. Markers may be cut
 * between chunks: up to two trailing bytes that could start one are held
 * until the next chunk (or `end`).
 */
export class LogDemuxer {
  private stream: LogStream = 1;
  private held = Buffer.alloc(0);

  constructor(private readonly out: (stream: LogStream, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    const buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    let from = 0;
    let i = 0;
    while (i < buf.length) {
      const b = buf[i]!;
      if (b !== 1 && b !== 2) {
        i++;
        continue;
      }
      // A possible marker: three equal bytes 1 or 2.
      if (i + 3 > buf.length) {
        if (buf.subarray(i).every((x) => x === b)) {
          this.emit(buf.subarray(from, i));
          this.held = Buffer.from(buf.subarray(i));
          return;
        }
        i++;
        continue;
      }
      if (buf[i + 1] === b && buf[i + 2] === b) {
        this.emit(buf.subarray(from, i));
        this.stream = b as LogStream;
        i += 3;
        from = i;
      } else i++;
    }
    this.emit(buf.subarray(from));
  }

  /** Flushes held bytes (they were output after all). */
  end(): void {
    this.emit(this.held);
    this.held = Buffer.alloc(0);
  }

  private emit(data: Buffer): void {
    if (data.length) this.out(this.stream, data);
  }
}

// Finds the end-of-run marker in a byte stream that arrives in chunks: bytes
// before it are the run's output; a tail that could be the start of the
// marker is held back until the next chunk decides.
export class MarkerScanner {
  private held: Buffer = Buffer.alloc(0);
  private found = false;

  constructor(private readonly marker: Buffer) {}

  get done(): boolean {
    return this.found;
  }

  /** Returns the output bytes that are certain now; after the marker, nothing (late bytes are not this run's). */
  push(chunk: Buffer): Buffer {
    if (this.found) return Buffer.alloc(0);
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      this.found = true;
      this.held = Buffer.alloc(0);
      return data.subarray(0, at);
    }
    // Keep the longest tail that is a prefix of the marker.
    let keep = Math.min(this.marker.length - 1, data.length);
    while (keep > 0 && !data.subarray(data.length - keep).equals(this.marker.subarray(0, keep))) keep--;
    this.held = Buffer.from(data.subarray(data.length - keep));
    return data.subarray(0, data.length - keep);
  }
}

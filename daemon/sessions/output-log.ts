// The output of one long-running command: stdout and stderr chunks in arrival
// order, capped (oldest bytes dropped first), readable from any byte offset
// of the interleaved stream, and followable live.
import { StringDecoder } from 'node:string_decoder';
import type { CommandLogs, CommandOutput } from '../../common/wire/toolbox.js';
import { STREAM_MARKS, type LogStream } from '../../common/wire/log-frames.js';

export type StreamId = LogStream;

export interface Chunk {
  stream: StreamId;
  data: Buffer;
  /** Absolute byte offset of `data` in the interleaved output. */
  offset: number;
}

/** §6.4 framing (common/wire/log-frames.ts): three marker bytes before each run of stdout or stderr bytes. */
export const frame = (c: Chunk): Buffer => Buffer.concat([STREAM_MARKS[c.stream], c.data]);

type Listener = (c: Chunk | null) => void;

export class OutputLog {
  private chunks: Chunk[] = [];
  private start = 0;
  private end = 0;
  private closed = false;
  private readonly decoders: Record<StreamId, StringDecoder> = {
    1: new StringDecoder('utf8'),
    2: new StringDecoder('utf8'),
  };
  private readonly listeners = new Set<Listener>();

  constructor(private readonly capBytes: number) {}

  get size(): number {
    return this.end;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Appends bytes; chunks always hold whole UTF-8 characters, so any chunk boundary is a safe offset. */
  append(stream: StreamId, data: Buffer | string): void {
    if (this.closed) return;
    const text = typeof data === 'string' ? data : this.decoders[stream].write(data);
    if (text) this.push(stream, Buffer.from(text, 'utf8'));
  }

  close(): void {
    if (this.closed) return;
    for (const s of [1, 2] as const) {
      const rest = this.decoders[s].end();
      if (rest) this.push(s, Buffer.from(rest, 'utf8'));
    }
    this.closed = true;
    for (const l of [...this.listeners]) l(null);
    this.listeners.clear();
  }

  private push(stream: StreamId, data: Buffer): void {
    const c: Chunk = { stream, data, offset: this.end };
    this.chunks.push(c);
    this.end += data.length;
    while (this.end - this.start > this.capBytes && this.chunks.length > 1)
      this.start += this.chunks.shift()!.data.length;
    for (const l of [...this.listeners]) l(c);
  }

  logs(): CommandLogs {
    return this.decode(this.chunks);
  }

  /** Up to `maxBytes` of output from `offset` (clamped to what is kept). */
  read(offset: number, maxBytes = 1 << 20): Omit<CommandOutput, 'running' | 'exitCode'> {
    const from = Math.min(Math.max(offset, this.start), this.end);
    const picked: Chunk[] = [];
    let size = 0;
    for (const c of this.chunks) {
      const cEnd = c.offset + c.data.length;
      if (cEnd <= from) continue;
      if (size >= maxBytes) break;
      const data = c.offset < from ? c.data.subarray(from - c.offset) : c.data;
      picked.push({ stream: c.stream, data, offset: Math.max(c.offset, from) });
      size += data.length;
    }
    return { ...this.decode(picked), offset: from, nextOffset: from + size, skipped: Math.max(0, this.start - offset) };
  }

  /** Resolves once output beyond `offset` exists, the log is closed, or `ms` passed. */
  waitBeyond(offset: number, ms: number): Promise<void> {
    if (this.end > offset || this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.listeners.add(done);
    });
  }

  /** Everything kept so far, then every new chunk; `null` once closed. Returns an unsubscribe. */
  follow(listener: Listener): () => void {
    for (const c of this.chunks) listener(c);
    if (this.closed) {
      listener(null);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private decode(chunks: Chunk[]): CommandLogs {
    let output = '';
    let stdout = '';
    let stderr = '';
    for (const c of chunks) {
      const t = c.data.toString('utf8');
      output += t;
      if (c.stream === 1) stdout += t;
      else stderr += t;
    }
    return { output, stdout, stderr };
  }
}

// An open SFTP file. SFTP reads and writes name an offset each (clients keep
// many in flight); the sandbox's file API streams. So a handle keeps one
// download (or one write) open while requests follow each other in order,
// and opens a new one at the asked offset when they do not: sequential
// transfers (scp, sftp get/put, editors) are one stream each, random access
// still works. Requests on one handle run one after another.
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import type { WriteOpen } from '../../common/wire/posix-files.js';
import type { DownloadedFile, FileWriter } from '../../common/wire/runner.js';

type Opened<T> = { value: T; end: () => void };

export interface FileOps {
  download(path: string, offset: number): Promise<Opened<DownloadedFile>>;
  openWrite(path: string, how: WriteOpen): Promise<Opened<FileWriter>>;
}

/** Read-ahead kept per handle before the download is paused. */
const READ_AHEAD = 4 << 20;
/** A forward jump up to this size is read through rather than reopened. */
const SKIP_LIMIT = 1 << 20;

class Reader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private error: unknown = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly opened: Opened<DownloadedFile>,
    public position: number,
  ) {
    const s: Readable = opened.value.stream;
    const poke = () => {
      const w = this.wake;
      this.wake = null;
      w?.();
    };
    s.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.buffered += c.length;
      if (this.buffered >= READ_AHEAD) s.pause();
      poke();
    });
    s.once('end', () => ((this.ended = true), poke()));
    s.once('close', () => ((this.ended = true), poke()));
    s.once('error', (e) => ((this.error = e), (this.ended = true), poke()));
  }

  /** Up to `n` bytes from `position` (fewer only at the end of the file). */
  async take(n: number): Promise<Buffer> {
    while (this.buffered < n && !this.ended) await new Promise<void>((r) => (this.wake = r));
    if (this.error && this.buffered === 0)
      throw this.error instanceof AppError
        ? this.error
        : new AppError('unavailable', 'the read from the sandbox broke off', { hint: 'the sandbox may have stopped' });
    const want = Math.min(n, this.buffered);
    const out = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, want - got);
      c.copy(out, got, 0, k);
      got += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= want;
    this.position += want;
    if (this.buffered < READ_AHEAD / 2) this.opened.value.stream.resume();
    return out;
  }

  close(): void {
    this.opened.value.stream.destroy();
    this.opened.end();
  }
}

class Writer {
  private failure: unknown = null;
  private readonly failed: Promise<void>;

  constructor(
    private readonly opened: Opened<FileWriter>,
    public position: number,
  ) {
    this.failed = opened.value.done.then(
      () => {
        // The sandbox ended the write before we did: nothing more goes in.
        this.failure ??= new AppError('unavailable', 'the sandbox stopped taking this file', {
          hint: 'the sandbox may have stopped',
        });
      },
      (e) => {
        this.failure = e;
      },
    );
  }

  async write(data: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    const body = this.opened.value.body;
    this.position += data.length;
    if (!body.write(data)) await Promise.race([new Promise((r) => body.once('drain', r)), this.failed]);
    if (this.failure) throw this.failure;
  }

  /** Ends the write and waits for the sandbox's verdict (e.g. disk full). */
  async finish(): Promise<void> {
    try {
      if (!this.failure) this.opened.value.body.end();
      await this.opened.value.done;
    } finally {
      this.opened.end();
    }
  }

  abort(): void {
    this.opened.value.body.destroy();
    this.opened.end();
  }
}

export class SftpFile {
  private reader: Reader | null = null;
  private writer: Writer | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly ops: FileOps,
    private readonly append: boolean,
  ) {}

  /** Runs `f` after every earlier request on this handle. */
  private run<T>(f: () => Promise<T>): Promise<T> {
    const r = this.queue.then(f);
    this.queue = r.catch(() => {});
    return r;
  }

  /** Opens for writing now, so open errors (no such folder, exists, denied) answer the OPEN. */
  async openWrite(how: WriteOpen): Promise<void> {
    this.writer = new Writer(await this.ops.openWrite(this.path, how), how.offset);
  }

  /** Opens for reading now, so open errors answer the OPEN. */
  async openRead(): Promise<void> {
    this.reader = new Reader(await this.ops.download(this.path, 0), 0);
  }

  read(offset: number, length: number): Promise<Buffer> {
    return this.run(async () => {
      await this.finishWrite();
      const r = this.reader;
      if (r && offset > r.position && offset - r.position <= SKIP_LIMIT) await r.take(offset - r.position);
      if (!this.reader || this.reader.position !== offset) {
        this.reader?.close();
        this.reader = null;
        this.reader = new Reader(await this.ops.download(this.path, offset), offset);
      }
      return this.reader.take(length);
    });
  }

  write(offset: number, data: Buffer): Promise<void> {
    return this.run(async () => {
      this.reader?.close();
      this.reader = null;
      if (this.writer && !this.append && this.writer.position !== offset) await this.finishWrite();
      this.writer ??= new Writer(await this.ops.openWrite(this.path, { offset, append: this.append }), offset);
      await this.writer.write(data);
    });
  }

  /** Makes every write so far land (before stat, setstat, reads), reporting its error. */
  flush(): Promise<void> {
    return this.run(() => this.finishWrite());
  }

  private async finishWrite(): Promise<void> {
    const w = this.writer;
    this.writer = null;
    await w?.finish();
  }

  async close(): Promise<void> {
    await this.run(async () => {
      this.reader?.close();
      this.reader = null;
      await this.finishWrite();
    });
  }

  /** The client went away: drop what is open without waiting. */
  abort(): void {
    this.reader?.close();
    this.writer?.abort();
    this.reader = this.writer = null;
  }
}

// Streaming multipart helpers: parse uploads part by part straight into the
// daemon, and write bulk downloads as multipart/form-data (busboy on the SDK
// side keys each part by its filename = the exact requested path).
import Busboy from 'busboy';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '../../../common/errors.js';

export interface UploadPart {
  field: string;
  filename: string;
  stream: Readable;
}

/**
 * Calls `onFile` for each file part, in order, with the text fields seen so
 * far; parts are consumed one at a time so memory stays flat.
 */
export async function readMultipart(
  req: IncomingMessage,
  limitBytes: number,
  onFile: (part: UploadPart, fields: Map<string, string>) => Promise<void>,
): Promise<Map<string, string>> {
  const ct = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(ct)) {
    throw new AppError('invalid_argument', 'expected a multipart/form-data body', {
      hint: 'send files as multipart/form-data',
      reason: 'BAD_REQUEST',
    });
  }
  const fields = new Map<string, string>();
  let bb: Busboy.Busboy;
  try {
    bb = Busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { fileSize: limitBytes, fieldSize: 64 * 1024, fields: 100_000, parts: 200_000 },
    });
  } catch (e) {
    throw new AppError('invalid_argument', `bad multipart body: ${(e as Error).message}`, { reason: 'BAD_REQUEST' });
  }
  return new Promise((resolve, reject) => {
    let chain = Promise.resolve();
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      reject(e);
    };
    bb.on('field', (name, value) => fields.set(name, value));
    bb.on('file', (field, stream, info) => {
      let tooBig = false;
      stream.on('limit', () => {
        tooBig = true;
        stream.destroy(
          new AppError('payload_too_large', `file part ${field} is over ${limitBytes} bytes`, {
            hint: 'raise BERTH_UPLOAD_LIMIT_BYTES or send a smaller file',
          }),
        );
      });
      const snapshot = new Map(fields);
      chain = chain.then(async () => {
        if (failed) {
          stream.resume();
          return;
        }
        try {
          await onFile({ field, filename: info.filename ?? '', stream }, snapshot);
          if (tooBig) throw new AppError('payload_too_large', `file part ${field} is over ${limitBytes} bytes`);
        } catch (e) {
          stream.resume();
          fail(e);
        }
      });
    });
    bb.on('error', (e) =>
      fail(new AppError('invalid_argument', `bad multipart body: ${(e as Error).message}`, { reason: 'BAD_REQUEST' })),
    );
    bb.on('close', () => void chain.then(() => !failed && resolve(fields)));
    req.on('aborted', () => fail(new AppError('invalid_argument', 'the upload was aborted by the client')));
    req.pipe(bb);
  });
}

const quote = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r|\n/g, ' ');

/** A multipart/form-data response body written part by part. */
export class MultipartWriter {
  readonly boundary = `berth-${randomBytes(12).toString('hex')}`;
  readonly stream = new PassThrough();

  get contentType(): string {
    return `multipart/form-data; boundary=${this.boundary}`;
  }

  private head(name: string, filename: string, type: string, length?: number): string {
    return `--${this.boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${quote(filename)}"\r\nContent-Type: ${type}\r\n${length !== undefined && length >= 0 ? `Content-Length: ${length}\r\n` : ''}\r\n`;
  }

  /** Writes a file part, respecting backpressure; rejects if the source fails midway. */
  async file(filename: string, size: number, body: Readable): Promise<void> {
    this.write(this.head('file', filename, 'application/octet-stream', size));
    // pipe(), not an async iterator: per-chunk promises add up to tens of MB of
    // heap churn on a 1 GiB download, while pipe() moves chunks with no allocation.
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        body.off('end', onEnd);
        body.off('error', onError);
        this.stream.off('close', onClose);
      };
      const onEnd = () => {
        cleanup();
        resolve();
      };
      const onError = (e: Error) => {
        cleanup();
        body.unpipe(this.stream);
        reject(e);
      };
      const onClose = () => {
        // The client went away: stop reading the source.
        cleanup();
        body.unpipe(this.stream);
        body.destroy();
        reject(new Error('response closed'));
      };
      body.once('end', onEnd);
      body.once('error', onError);
      this.stream.once('close', onClose);
      body.pipe(this.stream, { end: false });
    });
    this.write('\r\n');
  }

  error(filename: string, body: Record<string, unknown>): void {
    const json = JSON.stringify(body);
    this.write(this.head('error', filename, 'application/json', Buffer.byteLength(json)) + json + '\r\n');
  }

  end(): void {
    this.stream.end(`--${this.boundary}--\r\n`);
  }

  private write(s: string): void {
    this.stream.write(s);
  }
}

// File reading and editing shaped for agents: line ranges, binary detection
// (base64 instead of mangled text), whole-content writes, and exact-text
// replacements that answer with a unified diff. Built on the daemon's
// streamed download/upload; a read stops as soon as it has what it needs.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../common/errors.js';
import type { FileInfo } from '../../common/wire/daemon.js';
import type { Principal } from '../principal.js';
import { unifiedDiff } from './diff.js';
import type { ToolboxAccess } from './index.js';

export interface ReadOptions {
  /** First line to return (1-based). */
  startLine?: number;
  /** Last line to return (inclusive). */
  endLine?: number;
  /** Most bytes of content to return; the rest is cut and flagged. */
  maxBytes?: number;
  /** `auto` detects binary content and answers it in base64. */
  encoding?: 'auto' | 'utf-8' | 'base64';
}

export interface ReadResult {
  path: string;
  size: number;
  encoding: 'utf-8' | 'base64';
  content: string;
  mimeType: string;
  /** Line range returned (text only). */
  startLine?: number;
  endLine?: number;
  /** True when the file has more than was returned. */
  truncated: boolean;
}

export interface Replacement {
  oldText: string;
  newText: string;
  /** Replace every occurrence instead of requiring exactly one. */
  replaceAll?: boolean;
}

export interface EditResult {
  path: string;
  replacements: number;
  diff: string;
  dryRun: boolean;
  file?: FileInfo;
}

const DEFAULT_READ_BYTES = 256 * 1024;
/** Files edited in place are read whole; keep that bounded. */
const MAX_EDIT_BYTES = 8 << 20;

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  json: 'application/json',
  html: 'text/html',
  md: 'text/markdown',
  csv: 'text/csv',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
};

export function guessMime(path: string, binary: boolean): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (ext && MIME[ext]) || (binary ? 'application/octet-stream' : 'text/plain');
}

/** NUL bytes or invalid UTF-8 in the first bytes mean binary. */
export function looksBinary(head: Buffer): boolean {
  if (head.includes(0)) return true;
  try {
    // stream: true tolerates a character cut at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return false;
  } catch {
    return true;
  }
}

async function readHead(stream: Readable, n: number): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> }> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let len = 0;
  while (len < n) {
    const r = await it.next();
    if (r.done) break;
    chunks.push(r.value);
    len += r.value.length;
  }
  return { head: Buffer.concat(chunks), rest: it };
}

export class FileEditToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  read(p: Principal, id: string, path: string, o: ReadOptions = {}): Promise<ReadResult> {
    const maxBytes = o.maxBytes ?? DEFAULT_READ_BYTES;
    if (o.startLine !== undefined && o.endLine !== undefined && o.endLine < o.startLine) {
      throw new AppError('invalid_argument', `end_line ${o.endLine} is before start_line ${o.startLine}`, {
        hint: 'give a range with start_line ≤ end_line',
      });
    }
    return this.access.run(p, id, async ({ daemon }) => {
      const file = await daemon.download(path);
      try {
        const { head, rest } = await readHead(file.stream, 8192);
        const binary = o.encoding === 'base64' || (o.encoding !== 'utf-8' && looksBinary(head));
        if (binary) {
          if (o.startLine !== undefined || o.endLine !== undefined) {
            throw new AppError('invalid_argument', `${path} is binary; line ranges apply to text files`, {
              hint: 'read it without start_line/end_line (it comes back base64), or with encoding "utf-8" to force text',
            });
          }
          const chunks: Buffer[] = [head];
          let len = head.length;
          while (len <= maxBytes) {
            const r = await rest.next();
            if (r.done) break;
            chunks.push(r.value);
            len += r.value.length;
          }
          const all = Buffer.concat(chunks);
          return {
            path,
            size: file.size,
            encoding: 'base64',
            content: all.subarray(0, maxBytes).toString('base64'),
            mimeType: guessMime(path, true),
            truncated: file.size > maxBytes,
          };
        }
        return {
          ...(await this.readLines(head, rest, o, maxBytes)),
          path,
          size: file.size,
          mimeType: guessMime(path, false),
        };
      } finally {
        file.stream.destroy();
      }
    });
  }

  private async readLines(head: Buffer, rest: AsyncIterator<Buffer>, o: ReadOptions, maxBytes: number) {
    const start = Math.max(1, o.startLine ?? 1);
    const end = o.endLine ?? Infinity;
    const dec = new StringDecoder('utf8');
    let out = '';
    let outBytes = 0;
    let line = 1;
    let partial = '';
    let truncated = false;
    let done = false;
    const take = (text: string): boolean => {
      const bytes = Buffer.byteLength(text);
      if (outBytes + bytes > maxBytes) {
        out += Buffer.from(text)
          .subarray(0, maxBytes - outBytes)
          .toString('utf8')
          .replace(/\uFFFD$/, '');
        outBytes = maxBytes;
        truncated = true;
        return false;
      }
      out += text;
      outBytes += bytes;
      return true;
    };
    const feed = (text: string) => {
      partial += text;
      let nl: number;
      while (!done && (nl = partial.indexOf('\n')) >= 0) {
        const l = partial.slice(0, nl + 1);
        partial = partial.slice(nl + 1);
        if (line >= start && line <= end && !take(l)) done = true;
        line++;
        if (line > end) {
          done = true;
          truncated ||= partial.length > 0;
        }
      }
    };
    feed(dec.write(head));
    while (!done) {
      const r = await rest.next();
      if (r.done) break;
      feed(dec.write(r.value));
    }
    if (!done) {
      partial += dec.end();
      if (partial && line >= start && line <= end) take(partial);
      if (partial) line++;
    } else if (!truncated && line > end) {
      // Stopped at end_line: more lines may follow.
      const r = await rest.next();
      truncated = partial.length > 0 || !r.done;
    }
    const lastLine = Math.min(line - 1, end);
    return {
      encoding: 'utf-8' as const,
      content: out,
      startLine: start,
      endLine: Math.max(start - 1, lastLine),
      truncated,
    };
  }

  /** Writes the whole file (creating parent folders), from text or base64. */
  write(
    p: Principal,
    id: string,
    path: string,
    content: string,
    o: { encoding?: 'utf-8' | 'base64'; mode?: string } = {},
  ): Promise<FileInfo> {
    const body = o.encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    return this.access.run(p, id, ({ daemon }) => daemon.upload(path, Readable.from([body]), { mode: o.mode }));
  }

  /** Applies exact-text replacements in order; every `oldText` must match (once, unless replaceAll). */
  edit(
    p: Principal,
    id: string,
    path: string,
    edits: Replacement[],
    o: { dryRun?: boolean } = {},
  ): Promise<EditResult> {
    if (!edits.length)
      throw new AppError('invalid_argument', 'no edits given', { hint: 'pass at least one {old_text, new_text}' });
    return this.access.run(p, id, async ({ daemon }) => {
      const before = await daemon.stat(path);
      if (before.isDir)
        throw new AppError('invalid_argument', `${path} is a folder`, {
          reason: 'INVALID_FILE_PATH',
          hint: 'edit a file',
        });
      if (before.size > MAX_EDIT_BYTES)
        throw new AppError(
          'payload_too_large',
          `${path} is ${before.size} bytes; files over ${MAX_EDIT_BYTES} bytes are not edited in place`,
          { hint: 'use exec with sed or a script for large files' },
        );
      const file = await daemon.download(path);
      const chunks: Buffer[] = [];
      for await (const c of file.stream) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      if (looksBinary(raw.subarray(0, 8192)))
        throw new AppError('invalid_argument', `${path} is binary`, {
          hint: 'fs_edit changes text files; write binary files whole with fs_write (base64)',
        });
      const original = raw.toString('utf8');
      let text = original;
      let count = 0;
      edits.forEach((e, i) => {
        const which = edits.length > 1 ? `edit ${i + 1}: ` : '';
        if (e.oldText === '')
          throw new AppError('invalid_argument', `${which}old_text is empty`, {
            hint: 'give the exact text to replace; use fs_write to create or overwrite a file',
          });
        const n = text.split(e.oldText).length - 1;
        if (n === 0)
          throw new AppError('not_found', `${which}old_text not found in ${path}`, {
            reason: 'EDIT_NO_MATCH',
            hint: 'old_text must match the file exactly, whitespace and indentation included — read the lines again with fs_read',
          });
        if (n > 1 && !e.replaceAll)
          throw new AppError('failed_precondition', `${which}old_text occurs ${n} times in ${path}`, {
            reason: 'EDIT_AMBIGUOUS',
            hint: 'add surrounding lines to old_text so it matches once, or set replace_all',
          });
        text = e.replaceAll ? text.split(e.oldText).join(e.newText) : text.replace(e.oldText, () => e.newText);
        count += e.replaceAll ? n : 1;
      });
      const diff = unifiedDiff(original, text, path);
      if (o.dryRun) return { path, replacements: count, diff, dryRun: true };
      const now = await daemon.stat(path);
      if (now.modTime !== before.modTime || now.size !== before.size) {
        throw new AppError('conflict', `${path} changed while it was being edited`, {
          recoverable: true,
          hint: 'retry the edit; it is applied to the current content',
        });
      }
      const info = await daemon.upload(path, Readable.from([Buffer.from(text, 'utf8')]));
      return { path, replacements: count, diff, dryRun: false, file: info };
    });
  }
}

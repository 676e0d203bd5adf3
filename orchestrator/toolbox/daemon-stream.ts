// Opens a streamed daemon route and turns a non-2xx answer into its AppError.
import type { Readable } from 'node:stream';
import { appErrorFromJSON } from '../../common/errors.js';
import type { SandboxDaemon } from '../../common/wire/runner.js';

export async function openStream(daemon: SandboxDaemon, path: string, query?: Record<string, string | undefined>, signal?: AbortSignal): Promise<Readable> {
  const s = await daemon.open('GET', path, { query, endRequest: true, signal });
  if (s.status < 300) return s.stream as Readable;
  const chunks: Buffer[] = [];
  for await (const c of s.stream) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = { message: text };
  try {
    body = JSON.parse(text);
  } catch {
    /* plain text */
  }
  throw appErrorFromJSON(body, `daemon answered ${s.status}`);
}

export const seg = (s: string) => encodeURIComponent(s);

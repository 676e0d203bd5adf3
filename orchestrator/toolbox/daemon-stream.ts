// Opens a streamed daemon route and turns a non-2xx answer into its AppError.
import type { Readable } from 'node:stream';
import { readErrorBody } from '../../common/error-body.js';
import type { SandboxDaemon } from '../../common/wire/runner.js';

export async function openStream(
  daemon: SandboxDaemon,
  path: string,
  query?: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<Readable> {
  const s = await daemon.open('GET', path, { query, endRequest: true, signal });
  if (s.status < 300) return s.stream as Readable;
  throw await readErrorBody(s.stream, s.status, 'daemon');
}

export const seg = (s: string) => encodeURIComponent(s);

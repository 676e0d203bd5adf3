// The one way an error answer from another process (daemon, server) becomes an
// AppError again: its JSON body when it has one, its text as the message otherwise.
import { AppError, appErrorFromJSON } from './errors.js';

/** An error body past this is cut: the message is for people, and a runaway body must not fill memory. */
const ERROR_BODY_LIMIT = 1 << 20;

/** The AppError an answer of `status` carries; `from` names the speaker ("daemon", "server"). */
export function errorFromText(text: string, status: number, from: string): AppError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text ? { message: text } : {};
  }
  return appErrorFromJSON(body, `${from} answered ${status}`, status);
}

/** Reads an error answer's body (up to 1 MiB; a broken stream reports what arrived) and releases the stream. */
export async function readErrorBody(
  stream: AsyncIterable<unknown> & { destroy?: () => unknown },
  status: number,
  from: string,
): Promise<AppError> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of stream) {
      const chunk = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
      size += chunk.length;
      if (size > ERROR_BODY_LIMIT) break;
      chunks.push(chunk);
    }
  } catch {
    /* what arrived is what we report */
  }
  stream.destroy?.();
  return errorFromText(Buffer.concat(chunks).toString('utf8'), status, from);
}

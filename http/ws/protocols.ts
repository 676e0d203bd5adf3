// WebSocket subprotocol rules of the Daytona SDK (compat spec §6.2, §4.6):
// if the client offers subprotocols the server must select one of them (the
// `ws` client aborts otherwise); if it offers none it must not send one.
import { AppError } from '../../common/errors.js';
import { envMap } from '../../common/wire/daemon.js';

export const PTY_EXIT_CONTROL = 'X-Daytona-Pty-Exit-Control';
export const PTY_ENVS_PREFIX = 'X-Daytona-Pty-Envs~';
/** Browser-like runtimes prepend this token (with the SDK version after `~`). */
export const SDK_VERSION_PREFIX = 'X-Daytona-SDK-Version~';

/** Parses a Sec-WebSocket-Protocol header into its tokens, in order. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * The token to echo: the first preferred one the client offered (a preference
 * ending in `~` matches by prefix), else the first token it offered that
 * carries no data, else its first token; undefined when it offered none.
 */
export function selectProtocol(offered: string[], preferred: string[]): string | undefined {
  if (!offered.length) return undefined;
  for (const want of preferred) {
    const hit = offered.find((t) => (want.endsWith('~') ? t.startsWith(want) : t === want));
    if (hit) return hit;
  }
  return offered.find((t) => !t.includes('~')) ?? offered[0];
}

/** The PTY environment carried in an `X-Daytona-Pty-Envs~<base64url JSON>` token, if any. */
export function ptyEnvs(offered: string[]): Record<string, string> | undefined {
  const token = offered.find((t) => t.startsWith(PTY_ENVS_PREFIX));
  if (token === undefined) return undefined;
  const encoded = token.slice(PTY_ENVS_PREFIX.length);
  const bad = (why: string) =>
    new AppError('invalid_argument', `invalid ${PTY_ENVS_PREFIX}… subprotocol: ${why}`, {
      reason: 'BAD_REQUEST',
      hint: 'send the environment as base64url (no padding) of a JSON object of string values',
    });
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw bad('not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw bad('not JSON');
  }
  const r = envMap.safeParse(value);
  if (!r.success) throw bad(r.error.issues[0]?.message ?? 'not an object of strings');
  return r.data;
}

import { randomBytes, randomUUID, createHash, timingSafeEqual } from 'node:crypto';

export const newId = (): string => randomUUID();

/** URL-safe random token of `bytes` entropy. */
export const randomToken = (bytes = 24): string => randomBytes(bytes).toString('base64url');

/** API keys look like `berth_<40 url-safe chars>`; the first 12 chars are a lookup prefix. */
export const newApiKey = (): string => `berth_${randomToken(30)}`;
export const apiKeyPrefix = (key: string): string => key.slice(0, 12);
export const sha256Hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sandbox names become DNS labels in preview URLs, so keep them to that alphabet. */
export const SANDBOX_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

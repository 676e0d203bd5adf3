// The preview cookie: after a browser showed a credential once (a key, the
// preview token, a signed URL), it keeps navigating with this cookie, checked
// in memory: an HMAC-signed, expiring value bound to one sandbox and port, and
// naming the credential it came from so revoking that ends it (see gate.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What issued the cookie: an API key (ref = key id), the preview token, or a signed URL (ref = its token's SHA-256). */
export type CookieCredential = 'key' | 'token' | 'signed';

export interface PreviewCookie {
  sandboxId: string;
  port: number;
  organizationId: string;
  /** Epoch seconds. */
  expires: number;
  via: CookieCredential;
  ref: string;
}

export const PREVIEW_COOKIE_NAME = 'berth_preview';
/** How long a cookie lasts at most (a signed URL's or key's own end comes first). */
export const PREVIEW_COOKIE_SECONDS = 12 * 3600;

const VIA: Record<string, CookieCredential> = { k: 'key', t: 'token', s: 'signed' };

export class PreviewCookies {
  constructor(private readonly key: Buffer) {}

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }

  seal(c: PreviewCookie): string {
    const payload = Buffer.from(
      JSON.stringify([c.sandboxId, c.port, c.organizationId, c.expires, c.via[0], c.ref]),
    ).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /** The cookie's content when its signature holds and it has not expired; null otherwise. */
  open(value: string, nowMs: number): PreviewCookie | null {
    if (value.length > 1024) return null;
    const [payload, sig, extra] = value.split('.');
    if (!payload || !sig || extra !== undefined) return null;
    const want = this.mac(payload);
    const got = Buffer.from(sig, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
    try {
      const [sandboxId, port, organizationId, expires, via, ref] = JSON.parse(
        Buffer.from(payload, 'base64url').toString('utf8'),
      ) as unknown[];
      if (
        typeof sandboxId !== 'string' ||
        typeof port !== 'number' ||
        typeof organizationId !== 'string' ||
        typeof expires !== 'number' ||
        typeof ref !== 'string'
      )
        return null;
      const v = VIA[String(via)];
      if (!v || expires * 1000 <= nowMs) return null;
      return { sandboxId, port, organizationId, expires, via: v, ref };
    } catch {
      return null;
    }
  }
}

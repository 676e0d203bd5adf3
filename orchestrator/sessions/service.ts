// Web UI sessions. A browser trades an API key, or the one-time sign-in link
// printed at first start, for a random token kept in an HttpOnly cookie; the
// store keeps only its hash. A session is nothing but a pointer to its key:
// each request resolves it to the key's own principal (same permissions, rate
// limits and revocation), so revoking the key ends every session made from it.
import { newId, randomToken, sha256Hex } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Store } from '../store/db.js';
import { SessionRepo } from './repo.js';
import { SignInLinkRepo } from './sign-in-links-repo.js';

/** last_seen_at is written at most this often per session (idle expiry is that coarse). */
const SEEN_WRITE_MS = 15_000;

export interface SessionOptions {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  maxMs: number;
}

export interface StartedSession {
  /** The cookie value (shown once; only its hash is stored). */
  token: string;
  expiresAt: Date;
}

export class SessionService {
  private readonly seen = new Map<string, number>();
  private readonly sessions: SessionRepo;
  private readonly links: SignInLinkRepo;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly o: SessionOptions,
  ) {
    this.sessions = new SessionRepo(store);
    this.links = new SignInLinkRepo(store);
  }

  /** Starts a session acting as key `keyId`. */
  async start(keyId: string): Promise<StartedSession> {
    const token = randomToken(32);
    const now = this.clock.now().getTime();
    const expiresAt = now + this.o.maxMs;
    await this.sessions.insert({
      id: newId(),
      token_hash: sha256Hex(token),
      key_id: keyId,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    });
    return { token, expiresAt: new Date(expiresAt) };
  }

  /** The key behind a live session (and counts this use against its idle timer), or null. */
  async resolve(token: string): Promise<string | null> {
    if (!token || token.length > 128) return null;
    const hash = sha256Hex(token);
    const row = await this.sessions.byTokenHash(hash);
    const now = this.clock.now().getTime();
    if (!row) return null;
    const lastSeen = Math.max(row.last_seen_at, this.seen.get(row.id) ?? 0);
    if (row.expires_at <= now || lastSeen + this.o.idleMs <= now) {
      await this.sessions.remove(row.id);
      this.seen.delete(row.id);
      return null;
    }
    if (row.last_seen_at + SEEN_WRITE_MS <= now) await this.sessions.touch(row.id, now);
    this.seen.set(row.id, now);
    return row.key_id;
  }

  /** Ends the session of `token` (sign-out); unknown tokens are ignored. */
  async end(token: string): Promise<void> {
    await this.sessions.removeByTokenHash(sha256Hex(token));
  }

  /** A one-time sign-in token for key `keyId`, valid for `ttlMs` (the link `berth up` prints). */
  async createLink(keyId: string, ttlMs: number): Promise<string> {
    const token = randomToken(24);
    const now = this.clock.now().getTime();
    await this.links.insert({ token_hash: sha256Hex(token), key_id: keyId, created_at: now, expires_at: now + ttlMs });
    return token;
  }

  /** Uses up a sign-in link: its key, or null when unknown, used or expired. */
  async redeemLink(token: string): Promise<string | null> {
    if (!token || token.length > 128) return null;
    const hash = sha256Hex(token);
    const row = await this.links.byTokenHash(hash);
    if (!row) return null;
    // Only the request that deletes the row may use it: two tabs racing get one session.
    const taken = await this.links.take(hash);
    return taken && row.expires_at > this.clock.now().getTime() ? row.key_id : null;
  }

  /** Removes expired sessions and links. */
  async prune(): Promise<void> {
    const now = this.clock.now().getTime();
    await this.sessions.prune(now, now - this.o.idleMs);
    await this.links.pruneExpired(now);
    for (const [id, at] of this.seen) if (at <= now - this.o.idleMs) this.seen.delete(id);
  }
}

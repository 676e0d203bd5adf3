// Rate limits, one table of kinds: anonymous requests per IP, authenticated
// requests per key, failed authentications per IP, sandbox creates and
// lifecycle actions per organization. Fixed windows on shared counters, so
// every replica enforces the same budget. A broken counter store fails open
// (the limits protect capacity; they are not what keeps tenants apart).
import { AppError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { Counters } from './counters.js';

export const LIMIT_KINDS = {
  anonymous: { what: 'requests without credentials from this address', hint: 'send an API key, or slow down' },
  authenticated: { what: 'requests with this API key', hint: 'slow down, or spread the work over several keys' },
  failedAuth: { what: 'failed authentications from this address', hint: 'check the API key; further attempts from this address are refused until the window ends' },
  create: { what: 'sandbox creations in this organization', hint: 'wait, or reuse sandboxes (stop/start) instead of creating new ones' },
  lifecycle: { what: 'sandbox lifecycle actions in this organization', hint: 'wait before starting, stopping or deleting more sandboxes' },
} as const;
export type LimitKind = keyof typeof LIMIT_KINDS;

export interface LimitSettings {
  windowSeconds: number;
  /** Requests per window per kind; 0 turns that limit off. */
  limits: Record<LimitKind, number>;
}

export interface Budget {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export class RateLimiter {
  constructor(
    private readonly counters: Counters,
    private readonly s: LimitSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  private get windowMs(): number {
    return this.s.windowSeconds * 1000;
  }

  private budget(limit: number, count: number, resetAt: number): Budget {
    const now = this.clock.now().getTime();
    return { limit, remaining: Math.max(0, limit - count), resetSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
  }

  private refuse(kind: LimitKind, b: Budget): AppError {
    const k = LIMIT_KINDS[kind];
    return new AppError('rate_limited', `rate limit reached: at most ${b.limit} ${k.what} per ${this.s.windowSeconds} s`, {
      hint: `retry after ${b.resetSeconds} s; ${k.hint}`,
      details: { kind, limit: b.limit, remaining: 0, retryAfterSeconds: b.resetSeconds },
    });
  }

  /** Counts one request of `kind` for `id`; throws `rate_limited` past the limit. */
  async take(kind: LimitKind, id: string): Promise<Budget | null> {
    const limit = this.s.limits[kind];
    if (!limit) return null;
    let hit;
    try {
      hit = await this.counters.hit(`${kind}:${id}`, this.windowMs, this.clock.now().getTime());
    } catch (e) {
      this.log.warn('rate limit counters unavailable; not limiting', { kind, error: (e as Error).message });
      return null;
    }
    const b = this.budget(limit, hit.count, hit.resetAt);
    if (hit.count > limit) throw this.refuse(kind, b);
    return b;
  }

  /** Throws `rate_limited` if `id` already used up its budget of `kind`, without counting. */
  async check(kind: LimitKind, id: string): Promise<void> {
    const limit = this.s.limits[kind];
    if (!limit) return;
    let hit;
    try {
      hit = await this.counters.peek(`${kind}:${id}`, this.windowMs, this.clock.now().getTime());
    } catch {
      return;
    }
    if (hit.count >= limit) throw this.refuse(kind, this.budget(limit, hit.count, hit.resetAt));
  }

  /** Counts one event of `kind` (a failed authentication) without refusing it. */
  async note(kind: LimitKind, id: string): Promise<void> {
    if (!this.s.limits[kind]) return;
    await this.counters.hit(`${kind}:${id}`, this.windowMs, this.clock.now().getTime()).catch(() => undefined);
  }
}

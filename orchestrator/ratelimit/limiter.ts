// Rate limits, one table of kinds: anonymous requests per IP, authenticated
// requests per key, failed authentications per IP, sandbox creates and
// lifecycle actions per organization. Fixed windows on shared counters, so
// every replica enforces the same budget. A broken counter store fails open
// (the limits protect capacity; they are not what keeps tenants apart).
import { AppError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import { settingEnv, type SettingKey } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import type { Counters } from './counters.js';

/** Each kind: what is counted, what to do about it, and the setting that raises it. */
export const LIMIT_KINDS = {
  anonymous: {
    what: 'requests without credentials from this address',
    hint: 'send an API key, or slow down',
    setting: 'rateLimitAnonymous',
  },
  authenticated: {
    what: 'requests with this API key',
    hint: 'slow down, or spread the work over several keys',
    setting: 'rateLimitAuthenticated',
  },
  failedAuth: {
    what: 'failed authentications from this address',
    hint: 'check the API key; more wrong keys from here are refused until the window ends (valid keys still work)',
    setting: 'rateLimitFailedAuth',
  },
  create: {
    what: 'sandbox creations in this organization',
    hint: 'wait, or reuse sandboxes (stop/start) instead of creating new ones',
    setting: 'rateLimitCreate',
  },
  lifecycle: {
    what: 'sandbox lifecycle actions in this organization',
    hint: 'wait before starting, stopping or deleting more sandboxes',
    setting: 'rateLimitLifecycle',
  },
} as const satisfies Record<string, { what: string; hint: string; setting: SettingKey }>;
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
    /** Told of every refusal (the rate-limit metric). */
    private readonly onRefused: (kind: LimitKind) => void = () => {},
  ) {}

  private get windowMs(): number {
    return this.s.windowSeconds * 1000;
  }

  private budget(limit: number, count: number, resetAt: number): Budget {
    const now = this.clock.now().getTime();
    return {
      limit,
      remaining: Math.max(0, limit - count),
      resetSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  }

  private refuse(kind: LimitKind, b: Budget): AppError {
    this.onRefused(kind);
    const k = LIMIT_KINDS[kind];
    const setting = settingEnv(k.setting);
    // The operator's knob is named, so whoever hits the limit knows which setting raises it.
    const message = `rate limit reached: at most ${b.limit} ${k.what} per ${this.s.windowSeconds} s (${setting})`;
    const window = settingEnv('rateLimitWindowSeconds');
    const operator = `the server's operator sets this limit with ${setting} (per ${window} seconds)`;
    return new AppError('rate_limited', message, {
      hint: `retry after ${b.resetSeconds} s; ${k.hint}; ${operator}`,
      details: { kind, setting, limit: b.limit, remaining: 0, retryAfterSeconds: b.resetSeconds },
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
}

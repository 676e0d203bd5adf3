// One error type for the whole system. Edges translate it with one table each
// (HTTP status, MCP isError result, CLI exit code); nothing else throws ad hoc.

export const ERROR_CODES = [
  'invalid_argument',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'failed_precondition',
  'unprocessable',
  'quota_exceeded',
  'rate_limited',
  'payload_too_large',
  'unsupported_media_type',
  'headers_too_large',
  'timeout',
  'gone',
  'bad_gateway',
  'unavailable',
  'no_capacity',
  'not_implemented',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status of each code, for every HTTP speaker (API edge and daemon). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_argument: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  failed_precondition: 409,
  unprocessable: 422,
  quota_exceeded: 403,
  rate_limited: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  timeout: 408,
  gone: 410,
  bad_gateway: 502,
  unavailable: 503,
  no_capacity: 503,
  not_implemented: 501,
  internal: 500,
};

export interface AppErrorInit {
  /** What to do about it, ending with the fix ("… — call sandbox_start"). */
  hint?: string;
  /** Whether retrying the same call later can succeed. */
  recoverable?: boolean;
  /**
   * A finer, stable reason in UPPER_SNAKE (e.g. FILE_NOT_FOUND,
   * PROCESS_EXECUTION_TIMEOUT). Toolbox edges send it as the Daytona daemon code
   * so SDKs raise their typed errors.
   */
  reason?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly recoverable: boolean;
  readonly reason: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, init: AppErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = init.hint;
    this.recoverable = init.recoverable ?? (code === 'unavailable' || code === 'timeout' || code === 'rate_limited');
    this.reason = init.reason;
    this.details = init.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/**
 * Rebuilds an AppError that crossed a process boundary as JSON. A code we do
 * not know (toolbox answers carry the Daytona daemon's, e.g. `NOT_FOUND`) is
 * taken from the HTTP status when there is one.
 */
export function appErrorFromJSON(body: unknown, fallbackMessage: string, status?: number): AppError {
  const o = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const known = (c: unknown): c is ErrorCode => (ERROR_CODES as readonly string[]).includes(c as string);
  const lower = typeof o.code === 'string' ? o.code.toLowerCase() : undefined;
  const byStatus = ERROR_CODES.find((c) => HTTP_STATUS[c] === status) ?? 'internal';
  const code = known(o.code) ? o.code : known(lower) ? lower : byStatus;
  return new AppError(code, typeof o.message === 'string' ? o.message : fallbackMessage, {
    hint: typeof o.hint === 'string' ? o.hint : undefined,
    reason: typeof o.reason === 'string' ? o.reason : undefined,
    details: o.details && typeof o.details === 'object' ? (o.details as Record<string, unknown>) : undefined,
  });
}

export const notFound = (what: string, hint?: string, reason?: string) =>
  new AppError('not_found', `${what} not found`, { hint, reason });

export const invalid = (message: string, hint?: string, details?: Record<string, unknown>) =>
  new AppError('invalid_argument', message, { hint, details });

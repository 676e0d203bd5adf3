// One table from AppError codes to HTTP statuses, and the two body shapes:
// API errors, and toolbox errors in the Daytona daemon shape (so SDKs raise
// their typed errors from `code` + `source`).
import { STATUS_CODES } from 'node:http';
import { AppError, HTTP_STATUS } from '../common/errors.js';

export { HTTP_STATUS };

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  hint?: string;
  error: string;
  source: string;
  path: string;
  method: string;
  timestamp: string;
  details?: Record<string, unknown>;
}

/**
 * `hintInMessage`: SDKs surface only `message` to their users (the Daytona SDK
 * drops unknown fields), so for them the fix rides along in the message.
 */
export function errorBody(
  e: AppError,
  req: { path: string; method: string },
  toolbox: boolean,
  now: Date,
  hintInMessage = false,
): ErrorBody {
  const status = HTTP_STATUS[e.code];
  return {
    statusCode: status,
    code: toolbox ? (e.reason ?? e.code.toUpperCase()) : e.code,
    message: hintInMessage && e.hint ? `${e.message} — ${e.hint}` : e.message,
    ...(e.hint ? { hint: e.hint } : {}),
    error: STATUS_CODES[status] ?? 'Error',
    source: toolbox ? 'DAYTONA_DAEMON' : 'BERTH_API',
    path: req.path,
    method: req.method,
    timestamp: now.toISOString(),
    ...(e.details ? { details: e.details } : {}),
    ...(!toolbox && e.reason ? { reason: e.reason } : {}),
  };
}

/** Turns anything thrown by middleware (koa, body parser, busboy) into an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string; expose?: boolean };
  const status = e?.status ?? e?.statusCode;
  if (e?.type === 'entity.too.large' || status === 413)
    return new AppError('payload_too_large', 'request body is too large', {
      hint: 'send a smaller body; limits are set by BERTH_JSON_BODY_LIMIT_BYTES and BERTH_UPLOAD_LIMIT_BYTES',
    });
  if (e?.type === 'entity.parse.failed' || (err instanceof SyntaxError && status === 400))
    return new AppError('invalid_argument', 'request body is not valid JSON', {
      hint: 'send a JSON object with Content-Type: application/json',
      reason: 'INVALID_REQUEST_BODY',
    });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError('invalid_argument', e.message ?? 'unsupported body encoding', { hint: 'send UTF-8 JSON' });
  if (status === 415)
    return new AppError('unsupported_media_type', 'unsupported content type', {
      hint: 'send Content-Type: application/json',
    });
  if (status && status >= 400 && status < 500 && e?.expose)
    return new AppError(status === 404 ? 'not_found' : 'invalid_argument', e.message ?? 'bad request');
  return new AppError('internal', 'internal error', { hint: 'this is a bug in Berth; the server log has the details' });
}

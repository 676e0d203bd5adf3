// A request that rides in one header as base64url JSON (exec-attach and PTY
// create: their body is the stream itself), parsed and checked by its schema.
import type { z } from 'zod';
import { AppError } from '../common/errors.js';
import type { Call } from './router.js';

export function headerRequest<S extends z.ZodType>(call: Call, header: string, schema: S, what: string): z.output<S> {
  const raw = call.req.headers[header];
  let value: unknown = {};
  try {
    if (typeof raw === 'string' && raw) value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('invalid_argument', `the ${what} request is not valid JSON`, { reason: 'BAD_REQUEST' });
  }
  const r = schema.safeParse(value);
  if (!r.success)
    throw new AppError(
      'invalid_argument',
      r.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '),
      { reason: 'BAD_REQUEST' },
    );
  return r.data;
}

// Request bodies are JSON, except on the routes that read their own (uploads,
// marked with `ownBody`). A non-empty body of another type is refused with
// 415 instead of being ignored: a `curl -d '{…}'` without a JSON content type
// would otherwise run the request with default options.
import type Koa from 'koa';
import type { Layer } from '@koa/router';
import { AppError } from '../common/errors.js';
import type { State } from './context.js';

/** Content types parsed as JSON (application/json and every `+json` type). */
export const JSON_TYPES = ['application/json', '+json'];

/** Marks a route that reads its own body (multipart or raw): declare it first in the route's middleware. */
export const ownBody: Koa.Middleware<State> = (_ctx, next) => next();

const hasBody = (ctx: Koa.Context) => Number(ctx.get('content-length') || 0) > 0 || !!ctx.get('transfer-encoding');

/**
 * Router middleware (`router.use`, before the routes): it runs once a route
 * matched, so unknown paths stay 404 and toolbox routes answer in their shape.
 */
export const jsonBodiesOnly: Koa.Middleware<State> = async (ctx, next) => {
  if (!hasBody(ctx) || ctx.is(JSON_TYPES)) return next();
  const matched = ((ctx as { matched?: Layer[] }).matched ?? []).filter((l) => l.methods.includes(ctx.method));
  if (matched.some((l) => l.stack.includes(ownBody as never))) return next();
  const type = ctx.get('content-type');
  const what = type ? `not ${type}` : 'and the request body has no Content-Type';
  throw new AppError('unsupported_media_type', `this route takes a JSON body, ${what}`, {
    hint:
      "send the body with Content-Type: application/json (curl: -H 'Content-Type: application/json'), " +
      'or send no body',
    reason: 'UNSUPPORTED_MEDIA_TYPE',
  });
};

// One declaration per HTTP route: @koa/router registers it, its params, query
// and body are validated before the handler (which gets them parsed), and the
// declaration is kept for the OpenAPI document (http/openapi.ts). Routes are
// described once, here; nothing else lists them.
import type Koa from 'koa';
import { z } from 'zod';
import { AppError } from '../common/errors.js';
import { requireAuth, type AuthOptions } from './auth.js';
import type { ApiRouter, Ctx, HttpDeps, State } from './context.js';
import { body as parseBody } from './parse.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route: `none`; `key` (an API key, the web UI's session, and on
 * toolbox routes the sandbox's preview token or a signed URL); `key` acting in
 * the organization a path names; or a credential of the route's own.
 */
export type RouteAuth = 'none' | 'key' | { organization: (ctx: Ctx) => string | undefined } | { own: string };

export interface RouteDecl<Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  method: Method;
  /** The path below the table's prefix, in @koa/router syntax (`:id`, `{/*rest}`). */
  path: string;
  summary: string;
  tags: readonly string[];
  auth: RouteAuth;
  /** Described and checked path parameters; others are plain strings. */
  params?: z.ZodObject;
  query?: Q;
  /** A JSON body; a body of another type is described by `bodyType` and read by the handler. */
  body?: B;
  bodyType?: { type: string; description: string };
  /**
   * The service (after its own 404s) or the handler (a DELETE's body) validates
   * the body with this same schema: the route only describes it.
   */
  bodyCheckedBy?: 'service' | 'handler';
  /** Status → schema of the JSON answer, or a description of a non-JSON one. */
  responses?: Record<number, z.ZodType | string>;
  /** A request body that works; the OpenAPI test checks it against `body`. */
  example?: B extends z.ZodType ? z.input<B> : never;
  /** More words for the document (e.g. a WebSocket upgrade, a Daytona quirk). */
  description?: string;
  /** Middleware between authentication and validation (e.g. a route reading its own raw body). */
  before?: readonly Koa.Middleware<State>[];
}

export interface RouteInput<Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  query: Q extends z.ZodType ? z.output<Q> : Record<string, never>;
  body: B extends z.ZodType ? z.output<B> : undefined;
}

export type DeclaredRoute = RouteDecl<z.ZodType | undefined, z.ZodType | undefined> & { fullPath: string };

/** A router and the declarations of its routes. */
export class RouteTable {
  readonly declared: DeclaredRoute[] = [];

  constructor(
    readonly router: ApiRouter,
    readonly prefix: string,
    readonly d: HttpDeps,
    /** Authentication the router applies to every route itself (the toolbox's): routes add none. */
    readonly routerAuth = false,
  ) {}

  auth(a: RouteAuth): Koa.Middleware<State>[] {
    if (this.routerAuth || a === 'none' || 'own' in (typeof a === 'object' ? a : {})) return [];
    return [requireAuth(this.d, a === 'key' ? {} : (a as AuthOptions))];
  }
}

/** The error of a bad query or path, in the shape the body's has (http/parse.ts). */
function check<S extends z.ZodType>(schema: S, value: unknown, what: 'query' | 'path'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`);
  throw new AppError('invalid_argument', `invalid request: ${problems.join('; ')}`, {
    hint: what === 'query' ? 'fix the listed query parameters' : 'fix the listed path segments',
    reason: 'BAD_REQUEST',
    details: { problems },
  });
}

export function route<Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  t: RouteTable,
  decl: RouteDecl<Q, B>,
  handler: (ctx: Ctx, input: RouteInput<Q, B>) => unknown,
): void {
  t.declared.push({ ...(decl as DeclaredRoute), fullPath: t.prefix + decl.path });
  const validate: Koa.Middleware<State> = async (kctx) => {
    const ctx = kctx as Ctx;
    if (decl.params) check(decl.params, ctx.params, 'path');
    const query = decl.query ? check(decl.query, ctx.query, 'query') : {};
    const body = decl.body && !decl.bodyCheckedBy ? parseBody(ctx, decl.body) : undefined;
    await handler(ctx, { query, body } as RouteInput<Q, B>);
  };
  t.router[decl.method](decl.path, ...t.auth(decl.auth), ...(decl.before ?? []), validate);
}

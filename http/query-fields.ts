// Query-string fields as zod schemas, so a route declares its query once
// (http/route.ts validates it and the OpenAPI document shows it). Each field
// reads the first value of a repeated parameter (or all, for lists) and
// refuses bad input with the same errors as the readers in http/parse.ts. An
// absent parameter still runs its field (`.optional()` first: zod v4 refuses
// an absent key whose schema is a bare transform).
import { z } from 'zod';
import { readBool, readNumber, requiredMissing } from './parse.js';

/** A field of a query object: built with its parameter's name, for the error messages. */
export type QueryField<T = unknown> = (name: string) => z.ZodType<T>;

const first = (v: unknown): string | undefined =>
  Array.isArray(v) ? (v[0] as string | undefined) : (v as string | undefined);

export const qs = {
  string:
    (description?: string): QueryField<string | undefined> =>
    () =>
      z
        .unknown()
        .optional()
        .transform((v) => first(v))
        .meta({ type: 'string', ...(description ? { description } : {}) }),
  required:
    (description?: string): QueryField<string> =>
    (name) =>
      z
        .unknown()
        .optional()
        .transform((v) => {
          const s = first(v);
          if (s === undefined || s === '') throw requiredMissing(name);
          return s;
        })
        .meta({ type: 'string', ...(description ? { description } : {}) }),
  number:
    (opts: { min?: number; max?: number; int?: boolean; description?: string } = {}): QueryField<number | undefined> =>
    (name) =>
      z
        .unknown()
        .optional()
        .transform((v) => readNumber(name, first(v), opts))
        .meta({
          type: opts.int ? 'integer' : 'number',
          ...(opts.min !== undefined ? { minimum: opts.min } : {}),
          ...(opts.max !== undefined ? { maximum: opts.max } : {}),
          ...(opts.description ? { description: opts.description } : {}),
        }),
  bool:
    (description?: string): QueryField<boolean | undefined> =>
    (name) =>
      z
        .unknown()
        .optional()
        .transform((v) => readBool(name, first(v)))
        .meta({ type: 'boolean', ...(description ? { description } : {}) }),
  list:
    (description?: string): QueryField<string[]> =>
    () =>
      z
        .unknown()
        .optional()
        .transform((v) => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]))
        .meta({
          type: 'array',
          items: { type: 'string' },
          ...(description ? { description } : {}),
        }),
};

/** The query of a route: every field optional unless it says otherwise; unknown parameters are ignored. */
export function queryObject<F extends Record<string, QueryField>>(
  fields: F,
): z.ZodType<{ [K in keyof F]: F[K] extends QueryField<infer T> ? T : never }> {
  return z.object(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f(k)]))) as never;
}

/** A plain zod object read from the query: each parameter's first value. */
export function firstValues<S extends z.ZodType>(schema: S) {
  return z.preprocess(
    (q) => Object.fromEntries(Object.entries(q as Record<string, unknown>).map(([k, v]) => [k, first(v)])),
    schema,
  );
}

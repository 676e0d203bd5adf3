// Small, strict readers for query strings and bodies at the edge.
import type { z } from 'zod';
import { AppError } from '../common/errors.js';
import type { Ctx } from './context.js';

export function body<S extends z.ZodTypeAny>(ctx: Ctx, schema: S): z.output<S> {
  const raw = (ctx.request as unknown as { body?: unknown }).body;
  const r = schema.safeParse(raw ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new AppError('invalid_argument', `invalid request: ${problems.join('; ')}`, {
      hint: 'fix the listed fields',
      reason: 'INVALID_REQUEST_BODY',
      details: { problems },
    });
  }
  return r.data;
}

export function queryString(ctx: Ctx, name: string, required: true): string;
export function queryString(ctx: Ctx, name: string, required?: false): string | undefined;
export function queryString(ctx: Ctx, name: string, required = false): string | undefined {
  const v = ctx.query[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (required && (s === undefined || s === '')) throw requiredMissing(name);
  return s;
}

export const requiredMissing = (name: string) =>
  new AppError('invalid_argument', `query parameter ${name} is required`, {
    hint: `add ?${name}=…`,
    reason: 'BAD_REQUEST',
  });

export function queryList(ctx: Ctx, name: string): string[] {
  const v = ctx.query[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function queryNumber(
  ctx: Ctx,
  name: string,
  opts: { min?: number; max?: number; int?: boolean } = {},
): number | undefined {
  return readNumber(name, queryString(ctx, name), opts);
}

export function readNumber(
  name: string,
  s: string | undefined,
  opts: { min?: number; max?: number; int?: boolean } = {},
): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  if (
    !Number.isFinite(n) ||
    (opts.int && !Number.isInteger(n)) ||
    (opts.min !== undefined && n < opts.min) ||
    (opts.max !== undefined && n > opts.max)
  ) {
    throw new AppError(
      'invalid_argument',
      `query parameter ${name} must be ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}${opts.max !== undefined ? ` ≤ ${opts.max}` : ''}`,
      { reason: 'BAD_REQUEST' },
    );
  }
  return n;
}

export function queryBool(ctx: Ctx, name: string): boolean | undefined {
  return readBool(name, queryString(ctx, name));
}

export function readBool(name: string, s: string | undefined): boolean | undefined {
  if (s === undefined || s === '') return undefined;
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new AppError('invalid_argument', `query parameter ${name} must be true or false`, { reason: 'BAD_REQUEST' });
}

export function pathInt(ctx: Ctx, name: string, min: number): number {
  const s = ctx.params[name] ?? '';
  if (!/^-?\d+$/.test(s) || Number(s) < min)
    throw new AppError('invalid_argument', `${name} must be an integer ≥ ${min}`, {
      hint: 'minutes, as a whole number',
    });
  return Number(s);
}

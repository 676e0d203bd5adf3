// Tables for people, JSON for scripts, and one mapping from error codes to
// exit codes.
import type { ErrorCode } from '../common/errors.js';
import { AppError } from '../common/errors.js';

export const EXIT_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_argument: 2,
  unauthorized: 3,
  forbidden: 3,
  quota_exceeded: 3,
  not_found: 4,
  conflict: 5,
  failed_precondition: 5,
  unprocessable: 5,
  bad_gateway: 6,
  gone: 5,
  rate_limited: 6,
  unavailable: 6,
  no_capacity: 6,
  timeout: 6,
  payload_too_large: 2,
  unsupported_media_type: 2,
  headers_too_large: 2,
  not_implemented: 7,
  internal: 1,
};

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (!rows.length) return '(none)\n';
  const cell = (v: unknown) =>
    v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return (
    [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') +
    '\n'
  );
}

export function print(data: unknown, json: boolean, human: () => string): void {
  process.stdout.write(json ? JSON.stringify(data, null, 2) + '\n' : human());
}

/** Runs a command action; prints errors with their hint and exits with the mapped code. */
export function action<A extends unknown[]>(f: (...args: A) => Promise<void | number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await f(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('internal', (e as Error)?.message ?? String(e));
      process.stderr.write(`berth: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      process.exitCode = EXIT_CODE[err.code];
    }
  };
}

/** Parses repeated KEY=VALUE flags. */
export function keyValues(v: string | string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of v === undefined ? [] : Array.isArray(v) ? v : [v]) {
    const i = String(item).indexOf('=');
    if (i <= 0)
      throw new AppError('invalid_argument', `${what} must look like KEY=VALUE (got ${JSON.stringify(item)})`);
    out[String(item).slice(0, i)] = String(item).slice(i + 1);
  }
  return out;
}

// Auditing at the facade: a service is wrapped once with a table naming its
// mutating methods, and every call through any frontend is recorded with its
// outcome. A row may also name the permission the call needs and a guard to
// run it under (quota checks). Reads pass through untouched. Adding a
// mutating use case means adding one row to its table (./actions.ts).
import { AppError } from '../../common/errors.js';
import type { Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';
import type { Permission } from '../keys/permissions.js';
import { outcomeOf, type AuditLog } from './log.js';

/** What an entry is about. */
export type AuditTarget = { type: string; id?: string | null };

/**
 * The audit row of one method, typed by that method's own parameters `A` and
 * result `R`: an extractor that reads the wrong position no longer compiles.
 */
export interface AuditSpec<A extends readonly unknown[], R> {
  /** Action name, e.g. sandbox.create; may depend on the arguments. */
  action: string | ((args: A) => string);
  /** What was acted on; the result is there for ids only known afterwards. */
  target?: (args: A, result?: R) => AuditTarget | undefined;
  /** Extra facts worth keeping. Never secrets, file contents or commands. */
  details?: (args: A, result?: R) => Record<string, unknown> | undefined;
  /** Who acted, when the first argument is not the principal. */
  principal?: (args: A, result?: R) => Principal | undefined;
  /** The organization the entry belongs to, when not the principal's. */
  organizationId?: (args: A, result?: R) => string | undefined;
  /** Permission the call needs (checked before it runs, recorded as denied). */
  permission?: Permission;
  /** Runs the call, e.g. under a quota check and lock; default: just runs it. */
  guard?: (args: A, run: () => Promise<R>) => Promise<R>;
}

/**
 * The row of a method: a method whose first parameter is not the principal
 * must say who acted (`principal`), else nothing would be recorded.
 */
type RowOf<F> = F extends (...args: infer A) => infer R
  ? A extends readonly [Principal, ...unknown[]]
    ? AuditSpec<A, Awaited<R>>
    : AuditSpec<A, Awaited<R>> & Required<Pick<AuditSpec<A, Awaited<R>>, 'principal'>>
  : never;

/**
 * The audited methods of a service, one row each, keyed by the method itself:
 * renaming a method or changing its parameters breaks its row at compile time.
 */
export type AuditTable<T> = { [K in keyof T]?: RowOf<T[K]> };

/** Any row, as the wrapper runs it (its types were checked where the table was written). */
type AnyRow = AuditSpec<unknown[], unknown>;

const isPrincipal = (x: unknown): x is Principal =>
  !!x &&
  typeof x === 'object' &&
  typeof (x as Principal).organizationId === 'string' &&
  typeof (x as Principal).userId === 'string';

export function audited<T extends object>(service: T, table: AuditTable<T>, log: AuditLog): T {
  return new Proxy(service, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      const spec =
        typeof prop === 'string' ? (table as unknown as Record<string, AnyRow | undefined>)[prop] : undefined;
      if (!spec || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const write = (result: unknown, err?: unknown) => {
          try {
            const p = spec.principal?.(args, result) ?? (isPrincipal(args[0]) ? args[0] : undefined);
            if (!p) return;
            const code = err === undefined ? undefined : err instanceof AppError ? err.code : 'internal';
            log.record(p, {
              action: typeof spec.action === 'function' ? spec.action(args) : spec.action,
              target: spec.target?.(args, result),
              outcome: outcomeOf(code),
              ...(code ? { errorCode: code } : {}),
              details: spec.details?.(args, result),
              organizationId: spec.organizationId?.(args, result),
            });
          } catch {
            /* an audit extractor must never break the call it records */
          }
        };
        try {
          const p = isPrincipal(args[0]) ? args[0] : undefined;
          if (spec.permission && p) requirePermission(p, spec.permission);
          const run = () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          const result = await (spec.guard ? spec.guard(args, run) : run());
          write(result);
          return result;
        } catch (e) {
          write(undefined, e);
          throw e;
        }
      };
    },
  });
}

// The orchestrator's metrics: sandboxes by state, how long the oldest unmet
// desired state has waited (reconciler lag), what each runner has handed
// out, the latency of lifecycle operations and exec, and refusals (rate
// limits, failed authentications). Store-wide gauges are read at scrape
// time; every replica reports the same values (aggregate them with max()).
import type { Counter, Gauge, Histogram } from 'prom-client';
import { AppError } from '../common/errors.js';
import type { Clock } from '../common/clock.js';
import { secondsSince, type Metrics } from '../common/metrics.js';
import type { SandboxRepo } from './sandboxes/repo.js';

const GiB = 1024 ** 3;

/** Names the operation a call of method `F` performs, from its own arguments (undefined: not timed). */
type OperationOf<F> = F extends (...args: infer A) => unknown ? (args: A) => string | undefined : never;
/** The timed methods of a service, keyed by the method itself (a renamed method fails the build). */
type TimedTable<T> = { [K in keyof T]?: OperationOf<T[K]> };

export class OrchestratorMetrics {
  readonly operations: Histogram<'operation' | 'outcome'>;
  readonly rateLimited: Counter<'kind'>;
  readonly authFailures: Counter<'frontend'>;

  constructor(m: Metrics, repo: SandboxRepo, clock: Clock) {
    this.operations = m.histogram(
      'berth_sandbox_operation_duration_seconds',
      'Sandbox operations (create, start, stop, archive, delete, exec) from request to answer, ' +
        'by outcome (success or error code)',
      ['operation', 'outcome'],
    );
    this.rateLimited = m.counter('berth_rate_limited_total', 'Requests refused by a rate limit, by limit', ['kind']);
    this.authFailures = m.counter(
      'berth_auth_failures_total',
      'Failed authentications (wrong, expired or revoked keys and preview tokens), by frontend',
      ['frontend'],
    );
    m.gauge('berth_sandboxes', 'Sandboxes by observed state', ['state'], async (g) => {
      const counts = await repo.countByState();
      g.reset();
      for (const [state, n] of Object.entries(counts)) g.set({ state }, n);
    });
    const lag =
      'How long the sandbox that waits longest for its desired state has waited since its last change ' +
      '(0: all settled)';
    m.gauge('berth_reconciler_lag_seconds', lag, [], async (g) => {
      const since = await repo.oldestUnsettled();
      g.set(since === null ? 0 : Math.max(0, (clock.now().getTime() - since) / 1000));
    });
    const allocated = (pick: (r: { cpu: number; memoryGiB: number }) => number) => async (g: Gauge<'runner'>) => {
      const rows = await repo.allocatedByRunner();
      g.reset();
      for (const r of rows) g.set({ runner: r.runnerId }, pick(r));
    };
    const runner = ['runner'] as const;
    const cores = allocated((r) => r.cpu);
    const bytes = allocated((r) => r.memoryGiB * GiB);
    m.gauge('berth_runner_allocated_cpu_cores', 'Cores given to started sandboxes, per runner', runner, cores);
    m.gauge('berth_runner_allocated_memory_bytes', 'Memory given to started sandboxes, per runner', runner, bytes);
  }

  /**
   * Wraps `service` so the methods named in `ops` are timed; each names the
   * operation from the call's arguments (undefined: not timed).
   */
  timed<T extends object>(service: T, ops: TimedTable<T>): T {
    const h = this.operations;
    return new Proxy(service, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        const op =
          typeof prop === 'string'
            ? (ops as unknown as Record<string, ((args: unknown[]) => string | undefined) | undefined>)[prop]
            : undefined;
        if (!op || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const run = () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          const operation = op(args);
          if (!operation) return run();
          const t0 = process.hrtime.bigint();
          try {
            const r = await run();
            h.observe({ operation, outcome: 'success' }, secondsSince(t0));
            return r;
          } catch (e) {
            h.observe({ operation, outcome: e instanceof AppError ? e.code : 'internal' }, secondsSince(t0));
            throw e;
          }
        };
      },
    });
  }
}

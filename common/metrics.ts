// Prometheus metrics of one server. Each server instance has its own registry
// (never prom-client's global default one), so two servers in one process
// never share or collide. Everything that runs in a server reaches it as
// `orch.metrics` (the runner gets it at boot). Adding a metric is one call:
//
//   const sessions = orch.metrics.gauge('berth_ssh_sessions', 'Open SSH sessions', ['kind']);
//   sessions.inc({ kind: 'exec' });
//   const took = orch.metrics.histogram('berth_ssh_auth_seconds', 'SSH authentication time', ['outcome']);
//   took.observe({ outcome: 'ok' }, seconds);
//
// A gauge read from somewhere else at scrape time passes `collect`, which may
// be async; a failing one keeps its last value rather than failing the scrape.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds, from a fast API answer to a slow sandbox start. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class Metrics {
  readonly registry = new Registry();

  counter<L extends string = string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (g: Gauge<L>) => void | Promise<void>,
  ): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            async collect(this: Gauge<L>) {
              try {
                await collect(this);
              } catch {
                /* the last value stands: one unreadable source must not fail the whole scrape */
              }
            },
          }
        : {}),
    });
  }

  histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = LATENCY_BUCKETS,
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** The exposition text, and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

/** Seconds since `start` (a `process.hrtime.bigint()`). */
export const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

// Composition root of `berth runner`: a runner on a Docker host that dials the
// API at BERTH_API_URL with BERTH_RUNNER_TOKEN, links to every API replica it
// hears of there, reports its capacity and usage over each link, and serves
// runner calls and daemon streams on them (docs/scale-out.md). It loads no
// server code.
import { mkdirSync } from 'node:fs';
import { loadRunnerConfig } from '../common/config.js';
import { systemClock, type Clock } from '../common/clock.js';
import { createLogger, type Logger } from '../common/log.js';
import { Runner } from '../runner/index.js';
import { DockerRuntime } from '../runner/runtime/docker.js';
import { ReplicaLinks } from '../runner/link/replicas.js';
import { capacity, usage, type ReportDeps } from '../runner/link/capacity.js';
import { linkStreamHandler } from '../runner/link/serve.js';
import { runnerOptions } from './runner-options.js';
import { archiveStoreFrom } from './archive-store.js';

export interface RunningRunner {
  /** Settles when the runner stops: rejects when the API refused its token before any link worked. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startRunner(o: { env?: NodeJS.ProcessEnv; clock?: Clock; log?: Logger } = {}) {
  const config = loadRunnerConfig(o.env);
  const log = o.log ?? createLogger({ level: config.logLevel, json: config.logJson });
  mkdirSync(config.home, { recursive: true, mode: 0o700 });
  const runtime = new DockerRuntime(config.dockerSocket);
  const archiveStore = archiveStoreFrom(config);
  const runner = new Runner({ ...runnerOptions(config, runtime, log), archiveStore });
  const engine = await runner.init();
  log.info('docker engine', { version: engine.version, runtimes: engine.runtimes.join(','), cpus: engine.cpus });
  const deps: ReportDeps = {
    runtime,
    runnerId: config.runnerId,
    home: config.home,
    labels: config.labels ?? {},
    archivePrefix: archiveStore?.prefix ?? null,
  };
  const links = new ReplicaLinks({
    apiUrl: config.apiUrl,
    token: config.token,
    clock: o.clock ?? systemClock,
    log,
    onStream: linkStreamHandler({
      runner,
      log,
      reports: { '/info': () => capacity(deps), '/usage': () => usage(deps) },
    }),
  });
  let stopped: Promise<void> | null = null;
  const running: RunningRunner = {
    done: links.run(),
    // Once, whoever asks first (a signal, or the end of the run).
    stop: () =>
      (stopped ??= (async () => {
        links.stop();
        await runner.close();
      })()),
  };
  return running;
}

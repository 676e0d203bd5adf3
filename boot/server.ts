// Composition root: wires configuration, store, bus, locks, the embedded
// runner, the orchestrator and the HTTP frontends into one running server.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config, type ConfigInput } from '../common/config.js';
import { systemClock, type Clock } from '../common/clock.js';
import { createLogger, type Logger } from '../common/log.js';
import { AppError } from '../common/errors.js';
import { BERTH_VERSION } from '../common/version.js';
import { MemoryBus, RedisBus, type Bus } from '../orchestrator/bus/index.js';
import { MemoryLocks, RedisLocks, type Locks } from '../orchestrator/lock/index.js';
import { RedisConnections } from './redis.js';
import { openStore, type Store } from '../orchestrator/store/db.js';
import { MemoryCounters, Orchestrator, RedisCounters } from '../orchestrator/index.js';
import { resolveSecretsKey } from '../orchestrator/secrets/crypto.js';
import { Runner } from '../runner/index.js';
import { DockerRuntime } from '../runner/runtime/docker.js';
import type { ContainerRuntime } from '../runner/runtime/interface.js';
import { createApp, type BerthApp } from '../http/app.js';
import { loadWebUi } from '../http/webui.js';
import { createMcpHttp } from '../mcp/http/handler.js';
import { createObjectStorage } from '../http/object-storage.js';
import { Relay } from '../orchestrator/relay/index.js';
import { listen, type HttpServer } from '../http/server.js';
import { attachNotifications } from '../http/socketio.js';
import { attachToolboxWebSockets } from '../http/ws/upgrade.js';
import { attachRunnerLinks } from '../http/runner-link.js';
import { createPreviewGateway, type PreviewGateway } from '../gateways/preview/proxy.js';
import { claimPreviewHosts, listenPreviews } from '../gateways/preview/attach.js';
import { startSshGateway, type SshServer } from '../gateways/ssh/server.js';
import { readCliConfig, writeCliConfig } from './cli-config.js';
import { join } from 'node:path';
import { Teardown } from './teardown.js';
import { runnerOptions } from './runner-options.js';
import { archiveStoreFrom } from './archive-store.js';
import { Metrics } from '../common/metrics.js';
import { NoLocalRunner, noLocalRunner } from '../orchestrator/runners/no-local-runner.js';

/** The embedded runner on this host's engine; an engine that is down is logged, and the server serves anyway. */
async function startLocalRunner(
  o: BootOptions,
  config: Config,
  log: Logger,
  metrics: Metrics,
  opened: Teardown,
): Promise<Runner> {
  const runtime = o.runtime ?? new DockerRuntime(config.dockerSocket);
  const runner = new Runner({
    ...runnerOptions(config, runtime, log),
    archiveStore: archiveStoreFrom(config),
    metrics,
  });
  opened.add(() => runner.close());
  try {
    const e = await runner.init();
    log.info('docker engine', {
      version: e.version,
      runtimes: e.runtimes.join(','),
      storage: `${e.storageDriver} on ${e.backingFilesystem}`,
      cgroup: `v${e.cgroupVersion}`,
      cpus: e.cpus,
    });
    log.info('sandbox limits', {
      disk:
        e.diskLimit === 'enforced'
          ? 'enforced by the storage driver'
          : `watched (every ${config.diskCheckSeconds} s; ${e.storageDriver} on ${e.backingFilesystem} has no per-container quota) + per-file size limit`,
      egress: e.egress,
      gvisor:
        e.gvisor === 'available'
          ? 'available'
          : e.gvisor === 'no-network'
            ? 'available for networkBlockAll sandboxes only (runsc runs with --network=none on this host)'
            : 'not installed (`berth setup` installs it)',
    });
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'unavailable')) throw e;
    log.warn('Docker engine unreachable; serving anyway, sandboxes resume when it is back', {
      error: e.message,
      hint: e.hint,
    });
  }
  return runner;
}

/** The built web UI (scripts/build-webui.mjs). */
export const WEBUI_DIR = fileURLToPath(new URL('../webui/', import.meta.url));

export interface BootOptions {
  config?: ConfigInput;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  log?: Logger;
  runtime?: ContainerRuntime;
  /** Start the periodic sweep/reaper (tests drive sweeps by hand). */
  background?: boolean;
  /** Write the CLI config with the first admin key (default true). */
  writeCliConfig?: boolean;
  /** Where to print the first admin key (default stdout). */
  announce?: (text: string) => void;
  /** Serve the MCP conformance suite's fixtures at /mcp instead of Berth's tools (tests only; no setting turns this on). */
  mcpConformanceFixtures?: boolean;
  /** Listen for SSH on a port the system picks instead of BERTH_SSH_PORT (tests: `ssh.port()` tells which). */
  ephemeralSsh?: boolean;
}

export interface BootedServer {
  config: Config;
  orch: Orchestrator;
  /** The embedded runner; reading it on an API-only replica (BERTH_LOCAL_RUNNER=false) throws. */
  readonly runner: Runner;
  store: Store;
  http: HttpServer;
  /** The HTTP app (its routes can be listed). */
  app: BerthApp;
  /** The preview proxy (its open tunnels and WebSockets can be counted). */
  previews: PreviewGateway;
  /** The SSH gateway, unless BERTH_SSH_PORT is 0. */
  ssh?: SshServer;
  url: string;
  /** The admin key, when this start created it (printed once). */
  adminKey?: string;
  organizationId: string;
  close(): Promise<void>;
}

export async function bootServer(o: BootOptions = {}): Promise<BootedServer> {
  const config = loadConfig(o.config, o.env);
  const log = o.log ?? createLogger({ level: config.logLevel, json: config.logJson });
  const clock = o.clock ?? systemClock;
  mkdirSync(config.home, { recursive: true, mode: 0o700 });

  const opened = new Teardown();
  try {
    return await start(o, config, log, clock, opened);
  } catch (e) {
    await opened.run().catch(() => {});
    throw e;
  }
}

async function start(
  o: BootOptions,
  config: Config,
  log: Logger,
  clock: Clock,
  opened: Teardown,
): Promise<BootedServer> {
  const store = await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  opened.add(() => store.close());
  const redis = config.redisUrl ? new RedisConnections(config.redisUrl, config.runnerId) : undefined;
  if (redis) opened.add(() => redis.close());
  const bus: Bus = redis ? new RedisBus(redis.commands, redis.subscriber) : new MemoryBus();
  const locks: Locks = redis ? new RedisLocks(redis.commands) : new MemoryLocks(clock);
  opened.add(() => Promise.allSettled([bus.close(), locks.close()]));
  if (redis) {
    try {
      await bus.ping();
    } catch (e) {
      throw new AppError('unavailable', `cannot reach Redis at REDIS_URL: ${(e as Error).message}`, {
        hint: 'start Redis or unset REDIS_URL for the in-process bus',
      });
    }
  }
  // One registry for this server: its runner, orchestrator and edges report there (GET /metrics).
  const metrics = new Metrics();
  // An API-only replica (BERTH_LOCAL_RUNNER=false) opens no engine: a stand-in refuses what needs one.
  const runner = config.localRunner ? await startLocalRunner(o, config, log, metrics, opened) : undefined;
  if (!runner)
    log.info('API-only replica (BERTH_LOCAL_RUNNER=false): no local Docker engine; sandboxes run on remote runners');
  const runnerClient = runner ?? new NoLocalRunner(config.runnerId);

  const relay = redis ? Relay.redis(redis.commands, bus) : Relay.memory(bus, clock);
  opened.add(() => relay.close());
  // Rate-limit counters are shared by every replica through Redis when it is configured.
  const counters = redis ? new RedisCounters(redis.commands) : new MemoryCounters();
  opened.add(() => counters.close());
  const secretsKey = resolveSecretsKey(config.secretsKey, config.home);
  const orch = new Orchestrator({
    config,
    store,
    bus,
    locks,
    runner: runnerClient,
    clock,
    log,
    relay,
    counters,
    secretsKey,
    metrics,
    reapNetwork: runner ? (known) => runner.reapNetwork(known) : undefined,
  });
  opened.add(() => orch.close());
  const boot = await orch.bootstrap(config.adminApiKey);
  // Rate-limit counters of this installation (every replica shares its store and first admin) stay apart from other installs on the same Redis.
  counters.namespace(boot.userId);
  const apiUrl = `${config.publicUrl}/api`;
  const cliPath = (o.env ?? process.env).BERTH_CONFIG || join(config.home, 'cli.json');
  if (boot.apiKey && (o.writeCliConfig ?? true)) {
    writeCliConfig(
      { ...readCliConfig(cliPath), apiUrl, apiKey: boot.apiKey, organizationId: boot.organizationId },
      cliPath,
    );
  }
  if (boot.created && boot.apiKey && !config.adminApiKey) {
    // As Jupyter does: one click signs the admin in to the web UI (the token sits in the fragment, so it is never sent in a request line or logged).
    const link = boot.keyId ? `${config.publicUrl}/#signin=${await orch.createSignInLink(boot.keyId)}` : undefined;
    (o.announce ?? ((t) => process.stdout.write(t)))(
      `\n  Berth created an admin API key (shown once; saved for the CLI in ${cliPath}):\n\n    ${boot.apiKey}\n\n  Use it as DAYTONA_API_KEY with DAYTONA_API_URL=${apiUrl}\n\n` +
        (link ? `  Web UI (this sign-in link works once, for 24 hours):\n\n    ${link}\n\n` : ''),
    );
  }

  const orphans = await orch.recover().catch((e) => {
    log.warn('startup reconcile incomplete', { error: (e as Error).message });
    return [] as string[];
  });
  if (orphans.length) log.info('reaped orphan sandboxes', { count: orphans.length });

  const mcp = createMcpHttp({
    orch,
    config,
    clock,
    log: log.child({ component: 'mcp' }),
    fixtures: o.mcpConformanceFixtures,
  });
  opened.add(() => mcp.close());
  const objects = await createObjectStorage({ orch, config, log: log.child({ component: 'objects' }) });
  const app = createApp({ orch, config, clock, log }, { mcp, webui: loadWebUi(WEBUI_DIR), objects });
  const http = await listen(app, config.port, config.host, {
    headersTimeoutMs: config.httpHeadersTimeoutSeconds * 1000,
    requestTimeoutMs: config.httpRequestTimeoutSeconds * 1000,
  });
  opened.add(() => http.close());
  // Berth reads build contexts through its own endpoint (or from BERTH_S3_URL directly).
  orch.objects.setEndpoint(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${http.port()}`);
  // Toolbox WebSockets (PTY, interpreter, log follow) share the API port; other upgrades pass through.
  const toolboxSockets = attachToolboxWebSockets(http.server, { orch, config, clock, log });
  opened.add(() => toolboxSockets.close());
  // Socket.IO notifications for SDKs at /api/socket.io/ (same port; leaves other upgrades alone).
  const notifications = attachNotifications(http.server, { orch, config, clock, log });
  opened.add(() => notifications.close());
  // Remote runners dial in at /api/runners/link (same port).
  const runnerLinks = attachRunnerLinks(http.server, { orch, config, clock, log });
  opened.add(() => runnerLinks.close());
  // Preview hosts ({port}-{sandboxId}.<domain>) are claimed before all of the above see a request or upgrade.
  const previews = createPreviewGateway({ orch, config, log: log.child({ component: 'preview' }) });
  opened.add(() => previews.close());
  claimPreviewHosts(http.server, previews);
  orch.preview.links.servedOn(http.port());
  if (config.previewPort) {
    const only = await listenPreviews(previews, config.previewPort, config.host, {
      headersTimeoutMs: config.httpHeadersTimeoutSeconds * 1000,
      requestTimeoutMs: config.httpRequestTimeoutSeconds * 1000,
    });
    opened.add(() => only.close());
  }
  // Once serving (a start that fails makes no warm sandboxes); it retires what a previous process left first.
  // Warm sandboxes are the embedded runner's: an API-only replica keeps none (common/config.ts).
  if (runner) orch.warmPool.start();
  let ssh: SshServer | undefined;
  if (o.ephemeralSsh || config.sshPort) {
    ssh = await startSshGateway(
      { orch, config, clock, log },
      { port: o.ephemeralSsh ? 0 : config.sshPort, host: config.host },
    );
    opened.add(() => ssh!.close());
  }
  if (o.background ?? true) orch.startBackground();
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${http.port()}`;
  log.info(`berth ${BERTH_VERSION} listening`, {
    url,
    publicUrl: config.publicUrl,
    store: store.kind,
    bus: bus.kind,
    ssh: ssh ? `port ${ssh.port()}, host key ${ssh.fingerprint}` : 'off',
  });

  return {
    config,
    orch,
    get runner(): Runner {
      if (!runner) throw noLocalRunner('the embedded runner');
      return runner;
    },
    store,
    http,
    app,
    previews,
    ssh,
    url,
    adminKey: boot.apiKey,
    organizationId: boot.organizationId,
    close: () => opened.run(),
  };
}

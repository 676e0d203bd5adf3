// The orchestrator facade: the one object every edge (HTTP, MCP, CLI server
// side, gateways) calls. Edges parse and authorise; all logic lives below.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../common/errors.js';
import type { Clock, Timer } from '../common/clock.js';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/log.js';
import type { RunnerClient, RunnerHealth } from '../common/wire/runner.js';
import type { Bus } from './bus/index.js';
import type { Locks } from './lock/index.js';
import { KeyService } from './keys/service.js';
import { bootstrapAdmin, type BootstrapResult } from './orgs/bootstrap.js';
import type { Principal } from './principal.js';
import { Activity } from './sandboxes/activity.js';
import { Reconciler } from './sandboxes/reconciler.js';
import { SandboxRepo } from './sandboxes/repo.js';
import { SandboxService } from './sandboxes/service.js';
import { SandboxSettings } from './sandboxes/settings.js';
import { SANDBOX_EVENTS, type SandboxProgressEvent } from './sandboxes/model.js';
import { SnapshotService } from './snapshots/service.js';
import { VolumeService } from './volumes/service.js';
import { PreviewService } from './preview/service.js';
import type { Store } from './store/db.js';
import { ToolboxAccess } from './toolbox/index.js';
import { ProcessToolbox } from './toolbox/process.js';
import { FilesToolbox } from './toolbox/files.js';
import { FileSearchToolbox } from './toolbox/file-search.js';
import { SessionsToolbox } from './toolbox/sessions.js';
import { CodeRunToolbox } from './toolbox/code-run.js';
import { GitToolbox } from './toolbox/git.js';
import { SystemToolbox } from './toolbox/system.js';
import { PtyToolbox } from './toolbox/pty.js';
import { LspToolbox } from './toolbox/lsp.js';
import { InterpreterToolbox } from './toolbox/interpreter.js';
import { FileEditToolbox } from './toolbox/edit.js';
import { FileWatch } from './toolbox/watch.js';
import { GitDiffToolbox } from './toolbox/git-diff.js';
import { TerminalToolbox } from './toolbox/terminal.js';
import { GrepToolbox } from './toolbox/grep.js';
import { PreviewGate } from './preview/gate.js';
import { TunnelToolbox } from './toolbox/tunnel.js';
import { ExecAttachToolbox } from './toolbox/exec-attach.js';
import { Relay } from './relay/index.js';
import { sandboxTokenPrincipal, systemPrincipal } from './principal.js';
import { AuditLog } from './audit/log.js';
import { audited } from './audit/wrap.js';
import * as A from './audit/actions.js';
import { OrgService } from './orgs/service.js';
import { InvitationService } from './orgs/invitations.js';
import { OrgDefaultsService } from './orgs/defaults.js';
import { QuotaService } from './quotas/service.js';
import { UsageService } from './usage/service.js';
import { hookRunner } from './usage/runner-hooks.js';
import { SecretService } from './secrets/service.js';
import { SecretBox } from './secrets/crypto.js';
import { SecretInjector } from './secrets/inject.js';
import { MemoryCounters, type Counters } from './ratelimit/counters.js';
import { RateLimiter } from './ratelimit/limiter.js';
import { KEY_REVOKED, type KeyRevokedEvent } from './keys/service.js';
import { SessionService } from './sessions/service.js';
import { WarmPool } from './warmpool/pool.js';
import { WarmPoolRepo } from './warmpool/repo.js';
import { hostPressure } from './warmpool/pressure.js';
import { SshAccessService } from './ssh/access.js';
import { SshKeyService } from './ssh/keys.js';
import { SshGateway } from './ssh/gateway.js';
import { BuildService } from './images/builds.js';
import { RegistryService } from './images/registries.js';
import { ObjectStore } from './images/object-store.js';
import { SandboxStateOps } from './sandboxes/state-ops.js';
import { MetricsService } from './telemetry/metrics.js';
import { BuildLogAccess } from './images/build-log-access.js';
import { randomToken } from '../common/ids.js';
import { Metrics } from '../common/metrics.js';
import { OrchestratorMetrics } from './metrics.js';
import { RunnerService } from './runners/service.js';
import { RunnerLinks, type AdmittedLink } from './runners/links.js';
import { RunnerRouter } from './runners/router.js';
import { Placer } from './runners/placer.js';
import { SANDBOX_MOVED, SandboxMover, type SandboxMoved } from './runners/mover.js';
import { ImageDistributor } from './runners/images.js';
import { LinkedImages } from './runners/linked-images.js';
import { FleetEngine } from './runners/fleet-engine.js';
import { noLocalRunner } from './runners/no-local-runner.js';
import { SandboxAccessRepo } from './preview/access-repo.js';
import { newId } from '../common/ids.js';

export type { Principal } from './principal.js';
export { KEY_REVOKED, revokedMatches, type KeyRevokedEvent, type ApiKeyInfo } from './keys/service.js';
export { PERMISSIONS, ROLES, type Permission, type Role } from './keys/permissions.js';
export type { Organization, Member } from './orgs/service.js';
export type { Invitation } from './orgs/invitations.js';
export type { SandboxDefaults } from './orgs/defaults.js';
export { QUOTA_NAMES, type Quotas, type QuotaName } from './quotas/service.js';
export type { UsageReport } from './usage/service.js';
export { DAILY_MAX_DAYS, type DailyUsageReport, type DayUsage } from './usage/daily.js';
export type { AuditEntry, AuditFilter, AuditOutcome } from './audit/log.js';
export type { Secret } from './secrets/service.js';
export { MemoryCounters, RedisCounters, type Counters } from './ratelimit/counters.js';
export type { MessageChannel } from './toolbox/channel.js';
export type { ExecAttachment, ExecExitStatus } from './toolbox/exec-attach.js';
export type { Relay, SessionRecord, LoggedEvent, EventLog } from './relay/index.js';
export type { Sandbox, SandboxEvent, SandboxProgressEvent } from './sandboxes/model.js';
export { SANDBOX_EVENTS } from './sandboxes/model.js';
export { SORT_COLUMNS, type ListFilter, type ListPage, type SortKey } from './sandboxes/query.js';
export { SANDBOX_STATES, reportedState, type SandboxState } from './sandboxes/states.js';
export type { Snapshot } from './snapshots/model.js';
export type { DockerRegistry } from './images/registries.js';
export type { Build } from './images/builds.js';
export type { StorageAccess, ObjectRequest } from './images/object-store.js';
export { METRICS } from './telemetry/metrics.js';
export type { Volume } from './volumes/model.js';
export { SIGNED_PREVIEW_MAX_SECONDS } from './preview/service.js';
export { PREVIEW_COOKIE_NAME } from './preview/cookie.js';
export type { PreviewCredentials, PreviewGrant } from './preview/gate.js';
export { AUTO_ARCHIVE_MAX_MINUTES } from './sandboxes/reconciler.js';
export { SSH_ACCESS_DEFAULT_MINUTES, SSH_ACCESS_MAX_MINUTES, type SshAccess, type SshEndpoint } from './ssh/access.js';
export { sshFingerprint, type SshKey } from './ssh/keys.js';
export type { RunnerInfo, RunnerState } from './runners/model.js';
export type { AdmittedLink } from './runners/links.js';
export { SshGateway, commandSummary, type SshLogin, type SshRefusal, type SshSource } from './ssh/gateway.js';

/** How long the sign-in link printed at first start stays valid. */
const SIGN_IN_LINK_MS = 24 * 3_600_000;

export interface OrchestratorDeps {
  config: Config;
  store: Store;
  bus: Bus;
  locks: Locks;
  runner: RunnerClient;
  clock: Clock;
  log: Logger;
  /** Optional extra cleanup for the reaper (the runner's iptables chains). */
  reapNetwork?: (known: () => Promise<Set<string>>) => Promise<number>;
  /** Shared protocol-session state (MCP); in-process when omitted. */
  relay?: Relay;
  /** Rate-limit counters (Redis with REDIS_URL); in-process when omitted. */
  counters?: Counters;
  /** The key organization secrets are encrypted with (32 bytes); a random one per process when omitted. */
  secretsKey?: Buffer;
  /** This server's metrics registry (shared with its runner and edges); a private one when omitted. */
  metrics?: Metrics;
}

/** Where a request came from, and which organization it names (X-Daytona-Organization-ID). */
export interface RequestSource {
  ip?: string;
  frontend?: string;
  requestId?: string;
  organizationId?: string;
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  store: { ok: boolean; kind: string; error?: string };
  bus: { ok: boolean; kind: string; error?: string };
  engine: { ok: boolean; error?: string; [k: string]: unknown };
  /** `api-only`: BERTH_LOCAL_RUNNER=false, no engine here; every sandbox runs on a remote runner. */
  mode: 'embedded' | 'api-only';
  /** Remote runners linked to this replica now. */
  runners: { linked: number };
}

export class Orchestrator {
  readonly sandboxes: SandboxService;
  readonly keys: KeyService;
  readonly reconciler: Reconciler;
  /** Resources and network policy of existing sandboxes. */
  readonly settings: SandboxSettings;
  readonly snapshots: SnapshotService;
  readonly volumes: VolumeService;
  /** Preview links, signed preview URLs and file-URL signing keys. */
  readonly preview: PreviewService;
  /** Who may open a sandbox port through the preview proxy (gateways/preview). */
  readonly previewGate: PreviewGate;
  /** Toolbox capabilities on started sandboxes (one object per capability). */
  readonly toolbox: {
    access: ToolboxAccess;
    process: ProcessToolbox;
    files: FilesToolbox;
    edit: FileEditToolbox;
    watch: FileWatch;
    gitDiff: GitDiffToolbox;
    terminal: TerminalToolbox;
    grep: GrepToolbox;
    pty: PtyToolbox;
    lsp: LspToolbox;
    interpreter: InterpreterToolbox;
    fileSearch: FileSearchToolbox;
    sessions: SessionsToolbox;
    codeRun: CodeRunToolbox;
    git: GitToolbox;
    system: SystemToolbox;
    tunnel: TunnelToolbox;
    execAttach: ExecAttachToolbox;
  };
  /** Session records, resumable stream logs and cross-replica signals for MCP sessions. */
  readonly relay: Relay;
  /** Organizations, members and their roles. */
  readonly orgs: OrgService;
  readonly invitations: InvitationService;
  /** Defaults for new sandboxes per organization (network policy, runtime). */
  readonly defaults: OrgDefaultsService;
  readonly quotas: QuotaService;
  readonly usage: UsageService;
  readonly audit: AuditLog;
  readonly secrets: SecretService;
  /** Secrets of one sandbox (PUT /sandbox/{id}/secrets) and their injection at start. */
  readonly sandboxSecrets: SecretInjector;
  readonly limits: RateLimiter;
  /** Started sandboxes of no owner, claimed by matching creates. */
  readonly warmPool: WarmPool;
  /** SSH access tokens, people's SSH keys, and what the SSH gateway needs (logins, session holds, audited commands). */
  readonly ssh: { access: SshAccessService; keys: SshKeyService; gateway: SshGateway };
  /** Image builds (snapshots and dynamic images) and their logs. */
  readonly builds: BuildService;
  /** Private registries of organizations. */
  readonly registries: RegistryService;
  /** The object store build contexts are uploaded to. */
  readonly objects: ObjectStore;
  /** Sandbox snapshots and forks. */
  readonly stateOps: SandboxStateOps;
  /** Metric history and logs of sandboxes. */
  readonly sandboxMetrics: MetricsService;
  /** Build logs of snapshots and sandboxes, followed live. */
  readonly buildLogs: BuildLogAccess;
  /** This server's Prometheus metrics: edges and gateways add theirs here (`orch.metrics.counter(…)`). */
  readonly metrics: Metrics;
  /** Remote runners (Berth administrators): tokens, state, capacity. */
  readonly runners: RunnerService;
  /** Links of remote runners to this replica. */
  readonly runnerLinks: RunnerLinks;
  /** The runner calls of every sandbox go through here, to the runner it was placed on. */
  readonly router: RunnerRouter;
  /** Moves sandboxes between runners (`drain --migrate`). */
  readonly mover: SandboxMover;
  private readonly telemetry: OrchestratorMetrics;
  private readonly counters: Counters;
  private readonly sessions: SessionService;
  private timers: Timer[] = [];
  private readonly sandboxRepo: SandboxRepo;
  private readonly unmoved: () => void;
  /** Set on an API-only replica: the largest ready runner stands for "the engine" (fleet-engine.ts). */
  private readonly fleet: FleetEngine | null;

  constructor(private readonly d: OrchestratorDeps) {
    const repo = new SandboxRepo(d.store);
    this.sandboxRepo = repo;
    const activity = new Activity(repo, d.clock);
    const c = d.config;
    this.metrics = d.metrics ?? new Metrics();
    this.telemetry = new OrchestratorMetrics(this.metrics, repo, d.clock);
    this.audit = new AuditLog(d.store, d.clock, d.log.child({ component: 'audit' }));
    this.counters = d.counters ?? new MemoryCounters();
    this.limits = new RateLimiter(
      this.counters,
      {
        windowSeconds: c.rateLimitWindowSeconds,
        limits: {
          anonymous: c.rateLimitAnonymous,
          authenticated: c.rateLimitAuthenticated,
          failedAuth: c.rateLimitFailedAuth,
          create: c.rateLimitCreate,
          lifecycle: c.rateLimitLifecycle,
        },
      },
      d.clock,
      d.log.child({ component: 'ratelimit' }),
      (kind) => this.telemetry.rateLimited.inc({ kind }),
    );
    this.keys = audited(new KeyService(d.store, d.clock, d.bus), A.KEY_ACTIONS, this.audit);
    this.quotas = audited(
      new QuotaService({
        store: d.store,
        clock: d.clock,
        locks: d.locks,
        defaults: {
          sandboxes: c.quotaSandboxes,
          cpu: c.quotaCpu,
          memoryGiB: c.quotaMemoryGiB,
          diskGiB: c.quotaDiskGiB,
          snapshots: c.quotaSnapshots,
          volumes: c.quotaVolumes,
          lifetimeMinutes: c.quotaLifetimeMinutes,
        },
      }),
      A.QUOTA_ACTIONS,
      this.audit,
    );
    this.usage = new UsageService(d.store, d.clock, this.quotas);
    const runners = new RunnerService({
      store: d.store,
      clock: d.clock,
      bus: d.bus,
      timeoutMs: c.runnerTimeoutSeconds * 1000,
      load: () => repo.loadByRunner(),
      evacuate: (id) => this.mover.evacuate(id),
      migration: (id) => this.mover.migration(id),
      // A lost runner's sandboxes go to the embedded runner: refused where there is none, before anything changes.
      rescue: async (r) => {
        if (!c.localRunner && (await repo.allForRunners([r.id])).length)
          throw noLocalRunner("taking a lost runner's sandboxes over (they go to the embedded runner)");
        return this.mover.rescue(r);
      },
    });
    this.runners = audited(runners, A.RUNNER_ACTIONS, this.audit);
    this.runnerLinks = new RunnerLinks({
      runners,
      store: d.store,
      locks: d.locks,
      bus: d.bus,
      clock: d.clock,
      log: d.log.child({ component: 'runner-links' }),
      timeoutMs: c.runnerTimeoutSeconds * 1000,
      replicaId: newId(),
      replicaUrl: c.replicaUrl ?? c.publicUrl,
      onLinked: (id) => {
        void this.fleet?.refresh().catch(() => {});
        void this.reconciler
          .sweepRunner(id)
          .catch((e) => d.log.warn('sweep of a linked runner failed', { runnerId: id, error: (e as Error).message }));
      },
    });
    // An API-only replica: its linked runners hold the images and stand for the engine.
    const linkedImages = c.localRunner
      ? null
      : new LinkedImages({
          linked: () => this.runnerLinks.linked(),
          client: (id) => this.runnerLinks.client(id),
          registryUrl: c.registryUrl,
        });
    this.fleet = c.localRunner ? null : new FleetEngine({ ready: () => runners.ready() });
    // Everything below drives sandboxes through the router: each on the runner it was placed on.
    const runner = new RunnerRouter({
      local: d.runner,
      remote: (id) => this.runnerLinks.client(id),
      linked: () => this.runnerLinks.linked(),
      runnerOf: (id) => repo.runnerOf(id),
      images: new ImageDistributor({
        // API-only: sent from a linked runner that holds the image, over both links (no engine here to push from).
        local: linkedImages ? linkedImages.source(d.runner.id) : d.runner,
        registryUrl: linkedImages ? undefined : c.registryUrl,
        log: d.log.child({ component: 'image-distribution' }),
        clock: d.clock,
      }),
      // In the sandbox's events on every replica (Socket.IO `sandbox.progress`), and in the server log.
      onImageProgress: (ev) => {
        d.log.info(ev.line, { sandboxId: ev.sandboxId });
        void d.bus.publish(SANDBOX_EVENTS.progress, ev satisfies SandboxProgressEvent).catch(() => {});
      },
      apiOnly: linkedImages && this.fleet ? { images: linkedImages, engine: () => this.fleet!.current() } : undefined,
    });
    this.router = runner;
    const placer = new Placer({
      local: { id: d.runner.id, engine: () => d.runner.engineInfo(), labels: c.runnerLabels ?? {} },
      ready: () => runners.ready(),
      registered: () => runners.all(),
      linked: () => this.runnerLinks.linked(),
      load: () => repo.loadByRunner(),
      overcommit: { cpu: c.cpuOvercommit, memory: c.memoryOvercommit, disk: c.diskOvercommit },
    });
    const secretsKey = d.secretsKey ?? randomBytes(32);
    const box = new SecretBox(secretsKey);
    this.secrets = audited(new SecretService(d.store, d.clock, box), A.SECRET_ACTIONS, this.audit);
    this.registries = audited(
      new RegistryService({ store: d.store, clock: d.clock, box }),
      A.REGISTRY_ACTIONS,
      this.audit,
    );
    this.objects = new ObjectStore({
      store: d.store,
      clock: d.clock,
      config: c,
      box,
      internal: {
        accessKey: `BKINTERNAL${randomToken(6)
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, 'X')}`,
        secret: randomToken(30),
      },
    });
    this.builds = new BuildService({
      store: d.store,
      bus: d.bus,
      runner,
      clock: d.clock,
      config: c,
      log: d.log.child({ component: 'builds' }),
      contexts: this.objects,
      registryAuth: (org) => this.registries.all(org),
      refused: c.localRunner ? undefined : noLocalRunner('building an image'),
    });
    this.defaults = audited(new OrgDefaultsService(d.store, d.clock), A.DEFAULTS_ACTIONS, this.audit);
    const orgs = new OrgService({
      store: d.store,
      clock: d.clock,
      bus: d.bus,
      maxOwnedOrganizations: c.maxOrganizationsPerUser,
      credentialsChanged: (ev) => this.keys.forget(ev),
    });
    this.orgs = audited(orgs, A.ORG_ACTIONS, this.audit);
    this.invitations = audited(
      new InvitationService({
        store: d.store,
        clock: d.clock,
        log: d.log.child({ component: 'invitations' }),
        orgs: this.orgs,
        keys: this.keys,
        publicUrl: c.publicUrl,
        ttlHours: c.invitationTtlHours,
      }),
      A.INVITATION_ACTIONS,
      this.audit,
    );
    const injector = new SecretInjector({
      store: d.store,
      secrets: this.secrets,
      daemonOf: (id) => runner.daemon(id),
      sandboxes: { get: (p, id) => this.sandboxes.get(p, id) },
    });
    this.sandboxSecrets = audited(injector, A.SANDBOX_SECRET_ACTIONS, this.audit);
    // The reconciler drives a runner whose real transitions record usage and inject secrets.
    const observed = hookRunner(runner, [this.usage, injector], d.log.child({ component: 'runner-hooks' }));
    this.warmPool = new WarmPool({
      repo: new WarmPoolRepo(d.store),
      // Warm sandboxes are the embedded runner's: a create placed elsewhere starts cold.
      runner: d.runner,
      clock: d.clock,
      log: d.log.child({ component: 'warm-pool' }),
      defaultSize: c.warmPool,
      defaultImage: c.defaultImage,
      defaults: () => {
        const lim = this.sandboxes.limits();
        const memory = Math.min(c.defaultMemoryGiB, lim.maxMemoryGiB);
        return { cpu: Math.min(c.defaultCpu, lim.maxCpu), memory, disk: Math.min(c.defaultDiskGiB, lim.maxDiskGiB) };
      },
      pressure: hostPressure(c.warmPoolMaxLoad, c.warmPoolMinFreeMemoryPercent),
      tickMs: c.warmPoolCheckSeconds * 1000,
    });
    this.reconciler = new Reconciler({
      repo,
      runner: observed,
      runners: () => runner.reachable(),
      runnerIds: async () => [d.runner.id, ...(await runners.ids())],
      runnerLost: (id) => (id === d.runner.id ? Promise.resolve(null) : runners.lost(id)),
      locks: d.locks,
      bus: d.bus,
      clock: d.clock,
      log: d.log.child({ component: 'reconciler' }),
      spec: (s) => SandboxService.spec(s, s.imageConfig ?? undefined),
      busy: (id) => activity.busy(id),
      // A remote runner's engine is known once it answered a health check; until then its sandboxes are watched.
      diskLimitEnforced: (id) => runner.runner(id).engineInfo()?.diskLimit === 'enforced',
      leaseMs: c.lockLeaseSeconds * 1000,
      poolIds: () => this.warmPool.memberIds(),
      images: {
        awaitBuild: async (s, building) => {
          if (!s.buildId) return;
          await this.builds.wait(s.buildId, building);
        },
        // API-only: no engine here to pull into; the sandbox's runner pulls it from the cluster registry.
        pull: async (s) =>
          linkedImages
            ? linkedImages.pullFromRegistry(runner.runner(s.runnerId), s.image)
            : runner.pullImage(s.image, await this.registries.credentialsFor(s.organizationId, s.image), () => {}),
      },
    });
    this.mover = new SandboxMover({
      repo,
      locks: d.locks,
      bus: d.bus,
      clock: d.clock,
      log: d.log.child({ component: 'sandbox-mover' }),
      leaseMs: c.lockLeaseSeconds * 1000,
      runner: (id) => runner.runner(id),
      place: (need) => placer.place(need),
      kick: (id) => this.reconciler.kick(id),
      takesNew: async (id) => (c.localRunner && id === d.runner.id) || (await runners.ready()).some((r) => r.id === id),
      linked: () => this.runnerLinks.linked(),
      local: d.runner,
    });
    this.unmoved = d.bus.subscribe(SANDBOX_MOVED, (m) => {
      const { sandboxId, runnerId } = m as SandboxMoved;
      runner.moved(sandboxId, runnerId);
    });
    // Counted creates run under the organization's quota lock, checked first.
    const countGuard =
      (what: 'snapshots' | 'volumes') =>
      <R>(args: readonly [Principal, ...unknown[]], run: () => Promise<R>) =>
        this.quotas.guard(args[0].organizationId, async () => {
          await this.quotas.checkCount(args[0].organizationId, what);
          return run();
        });
    this.snapshots = audited(
      new SnapshotService({
        store: d.store,
        runner,
        clock: d.clock,
        config: d.config,
        limits: () => this.sandboxes.limits(),
        log: d.log.child({ component: 'snapshots' }),
        builds: this.builds,
        registries: this.registries,
        usersOf: (organizationId, name, image) => repo.countUsingImage(organizationId, name, image),
        warmPool: this.warmPool,
      }),
      { ...A.SNAPSHOT_ACTIONS, create: { ...A.SNAPSHOT_ACTIONS.create!, guard: countGuard('snapshots') } },
      this.audit,
    );
    this.volumes = audited(
      new VolumeService({ store: d.store, runner, clock: d.clock }),
      { ...A.VOLUME_ACTIONS, create: { ...A.VOLUME_ACTIONS.create!, guard: countGuard('volumes') } },
      this.audit,
    );
    this.sandboxes = this.telemetry.timed(
      audited(
        new SandboxService({
          repo,
          runner,
          reconciler: this.reconciler,
          bus: d.bus,
          clock: d.clock,
          config: d.config,
          log: d.log,
          activity,
          snapshots: this.snapshots,
          volumes: this.volumes,
          quotas: this.quotas,
          limiter: this.limits,
          secrets: this.secrets,
          orgDefaults: this.defaults,
          audit: this.audit,
          builds: this.builds,
          registryAuth: (org, ref) => this.registries.credentialsFor(org, ref),
          warmPool: this.warmPool,
          placement: placer,
          relocate: this.mover,
        }),
        A.SANDBOX_ACTIONS,
        this.audit,
      ),
      { create: () => 'create', request: (args) => String(args[2]) },
    );
    this.stateOps = audited(
      new SandboxStateOps({
        sandboxes: this.sandboxes,
        snapshots: this.snapshots,
        reconciler: this.reconciler,
        runner,
        clock: d.clock,
        refused: c.localRunner
          ? undefined
          : noLocalRunner('a snapshot or fork of a sandbox (their images are kept on the API host)'),
      }),
      A.STATE_ACTIONS,
      this.audit,
    );
    this.buildLogs = new BuildLogAccess({
      store: d.store,
      bus: d.bus,
      builds: this.builds,
      snapshots: this.snapshots,
      sandboxes: this.sandboxes,
    });
    this.sandboxMetrics = new MetricsService({
      store: d.store,
      runner,
      clock: d.clock,
      log: d.log.child({ component: 'metrics' }),
      sandboxes: {
        get: (p, id) => this.sandboxes.get(p, id),
        started: async () =>
          (await repo.allForRunners(runner.reachable().map((r) => r.id))).filter((s) => s.state === 'started'),
      },
      intervalSeconds: c.metricsIntervalSeconds,
      retentionHours: c.metricsRetentionHours,
    });
    this.settings = audited(
      new SandboxSettings({
        repo,
        sandboxes: this.sandboxes,
        runner,
        clock: d.clock,
        quotas: this.quotas,
        gvisorOf: (runnerId) => placer.gvisorOf(runnerId),
      }),
      A.SETTINGS_ACTIONS,
      this.audit,
    );
    this.preview = audited(
      new PreviewService({ store: d.store, sandboxes: this.sandboxes, clock: d.clock, config: d.config }),
      A.PREVIEW_ACTIONS,
      this.audit,
    );
    this.previewGate = new PreviewGate({
      preview: this.preview,
      sandboxById: (id) => repo.getById(id),
      keys: this.keys,
      authenticate: (token, source) => this.authenticate(token, source),
      admit: (source, find, refusal) => this.admit(source, find, refusal),
      startForRequest: (p, id, waitMs) => this.sandboxes.startForRequest(p, id, { waitMs }),
      touch: (s) => this.sandboxes.touch(s),
      bus: d.bus,
      clock: d.clock,
      secret: secretsKey,
    });
    const access = new ToolboxAccess(this.sandboxes);
    this.toolbox = {
      access,
      process: this.telemetry.timed(new ProcessToolbox(access), { exec: () => 'exec' }),
      files: new FilesToolbox(access),
      edit: new FileEditToolbox(access),
      watch: new FileWatch(this.sandboxes, (id) => runner.daemon(id)),
      gitDiff: new GitDiffToolbox(access),
      terminal: new TerminalToolbox(new PtyToolbox(access)),
      grep: new GrepToolbox(access),
      pty: new PtyToolbox(access),
      lsp: new LspToolbox(access),
      interpreter: new InterpreterToolbox(access),
      fileSearch: new FileSearchToolbox(access),
      sessions: new SessionsToolbox(access),
      codeRun: new CodeRunToolbox(access),
      git: new GitToolbox(access),
      system: new SystemToolbox(access),
      tunnel: new TunnelToolbox(access),
      execAttach: new ExecAttachToolbox(access),
    };
    this.relay = d.relay ?? Relay.memory(d.bus, d.clock);
    this.sessions = new SessionService(d.store, d.clock, {
      idleMs: c.uiSessionIdleMinutes * 60_000,
      maxMs: c.uiSessionMaxHours * 3_600_000,
    });
    const sshAccess = new SshAccessService({
      store: d.store,
      clock: d.clock,
      bus: d.bus,
      config: c,
      sandboxes: this.sandboxes,
      endpoint: () => this.ssh.gateway.endpoint(),
    });
    const sshKeys = new SshKeyService({ store: d.store, clock: d.clock, bus: d.bus });
    this.ssh = {
      access: audited(sshAccess, A.SSH_ACCESS_ACTIONS, this.audit),
      keys: audited(sshKeys, A.SSH_KEY_ACTIONS, this.audit),
      gateway: new SshGateway({
        store: d.store,
        clock: d.clock,
        bus: d.bus,
        log: d.log.child({ component: 'ssh' }),
        limits: this.limits,
        audit: this.audit,
        sandboxes: this.sandboxes,
        access: sshAccess,
        keys: sshKeys,
        execAttach: this.toolbox.execAttach,
      }),
    };
  }

  /**
   * Resolves a bearer token to a principal acting in `source.organizationId`
   * (default: the key's own organization), for every frontend alike. Rate
   * limits apply here: requests without a key per address, failed
   * authentications per address (only failures are counted and refused), and
   * requests per key.
   */
  async authenticate(token: string | undefined, source: RequestSource = {}): Promise<Principal> {
    if (!token) {
      await this.admitAnonymous(source);
      throw new AppError('unauthorized', 'missing API key', { hint: 'send `Authorization: Bearer <api key>`' });
    }
    return this.admit(
      source,
      () => this.keys.authenticate(token, source.organizationId || undefined),
      new AppError('unauthorized', 'invalid, expired or revoked API key', {
        hint: 'check the key, or create a new one',
      }),
    );
  }

  /**
   * Authenticates a sandbox's preview token, which browser-like SDK runtimes send
   * (as `DAYTONA_SANDBOX_AUTH_KEY`) instead of an API key on toolbox WebSockets:
   * the principal reaches that sandbox's toolbox and nothing else.
   */
  authenticateSandboxToken(sandboxId: string, token: string, source: RequestSource = {}): Promise<Principal> {
    return this.admit(
      source,
      async () => {
        const organizationId = await this.preview.previewTokenOrganization(sandboxId, token);
        return organizationId ? sandboxTokenPrincipal(organizationId, sandboxId) : null;
      },
      new AppError('unauthorized', 'invalid preview token for this sandbox', {
        hint: 'get the token with GET /api/sandbox/{id}/ports/{port}/preview-url, or send `Authorization: Bearer <api key>`',
      }),
    );
  }

  /**
   * Web UI sign-in: trades an API key, or the one-time link printed at first
   * start, for a session token (the cookie value). The session acts as that key.
   */
  async signIn(
    credential: { apiKey?: string; link?: string },
    source: RequestSource = {},
  ): Promise<{ principal: Principal; token: string; expiresAt: Date }> {
    const p = credential.link
      ? await this.admit(
          source,
          async () => {
            const keyId = await this.sessions.redeemLink(credential.link!);
            return keyId ? this.keys.authenticateId(keyId) : null;
          },
          new AppError('unauthorized', 'this sign-in link was already used or has expired', {
            hint: 'sign in with the API key `berth up` printed (also in ~/.berth/cli.json)',
          }),
        )
      : await this.authenticate(credential.apiKey, source);
    if (!p.keyId)
      throw new AppError('forbidden', 'only API keys can sign in to the web UI', {
        hint: 'use an API key (create one with POST /api/api-keys)',
      });
    const s = await this.sessions.start(p.keyId);
    this.audit.record(p, {
      action: 'ui_session.create',
      target: { type: 'api_key', id: p.keyId },
      outcome: 'success',
      details: { via: credential.link ? 'link' : 'api_key' },
    });
    return { principal: p, ...s };
  }

  /**
   * The principal of a web UI session token: exactly its key's, acting in
   * `source.organizationId` when given. A stale cookie is not a guess, so it
   * is not counted as a failed authentication.
   */
  authenticateSession(token: string, source: RequestSource = {}): Promise<Principal> {
    return this.admit(
      source,
      async () => {
        const keyId = await this.sessions.resolve(token);
        return keyId ? this.keys.authenticateId(keyId, source.organizationId || undefined) : null;
      },
      new AppError('unauthorized', 'your web session has ended (signed out, expired, or its API key was revoked)', {
        hint: 'sign in again with an API key',
      }),
      { countFailure: false },
    );
  }

  /** Ends a web UI session (sign-out). */
  async signOut(p: Principal, token: string): Promise<void> {
    await this.sessions.end(token);
    this.audit.record(p, { action: 'ui_session.delete', target: { type: 'api_key', id: p.keyId }, outcome: 'success' });
  }

  /** A one-time web UI sign-in link token for key `keyId` (printed by `berth up` on first start). */
  createSignInLink(keyId: string): Promise<string> {
    return this.sessions.createLink(keyId, SIGN_IN_LINK_MS);
  }

  /**
   * Authenticates a pre-signed file URL (SDK `downloadUrl`/`uploadUrl`): the
   * signature opens that one path of that one sandbox, for that method, until
   * it expires or the signing key is rotated.
   */
  authenticateFileUrl(
    sandboxId: string,
    method: 'GET' | 'POST',
    path: string,
    expires: string,
    signature: string,
    source: RequestSource = {},
  ): Promise<Principal> {
    return this.admit(
      source,
      async () => {
        if (!(await this.preview.verifyFileSignature(sandboxId, method, path, expires, signature))) return null;
        const organizationId = (await new SandboxAccessRepo(this.d.store).get(sandboxId))?.organization_id;
        return organizationId ? sandboxTokenPrincipal(organizationId, sandboxId) : null;
      },
      new AppError('unauthorized', 'this signed URL is invalid or has expired', {
        hint: 'get a new one with sandbox.downloadUrl(path)/uploadUrl(path); rotating the signing key invalidates all earlier URLs',
      }),
    );
  }

  /**
   * Checks a credential with `find`. A credential that works is admitted
   * whatever its address did (behind a NAT or a proxy many clients share one
   * address, and one wrong key must not lock the others out); it counts
   * against the principal's request budget. One that does not is counted
   * (unless `countFailure` is false) against its address's failed-
   * authentication limit and, past that limit, refused with 429 instead of 401.
   */
  private async admit(
    source: RequestSource,
    find: () => Promise<Principal | null>,
    refusal: AppError,
    o: { countFailure?: boolean } = {},
  ): Promise<Principal> {
    const ip = source.ip ?? 'unknown';
    const p = await find();
    if (!p) {
      this.d.log.warn('authentication failed', { ip, frontend: source.frontend, requestId: source.requestId });
      if (o.countFailure ?? true) {
        this.telemetry.authFailures.inc({ frontend: source.frontend ?? 'unknown' });
        await this.limits.take('failedAuth', ip);
      }
      throw refusal;
    }
    const budget = await this.limits.take('authenticated', p.keyId ?? p.userId);
    if (budget) p.rateLimit = budget;
    p.source = { ip: source.ip, frontend: source.frontend, requestId: source.requestId };
    return p;
  }

  /**
   * Admits a remote runner's link upgrade by its token; an unknown token counts
   * against its address's failed-authentication limit, as a bad API key does.
   */
  async admitRunnerLink(token: string | undefined, source: RequestSource = {}): Promise<AdmittedLink> {
    try {
      return await this.runnerLinks.admit(token);
    } catch (e) {
      if (e instanceof AppError && e.code === 'unauthorized')
        await this.limits.take('failedAuth', source.ip ?? 'unknown');
      throw e;
    }
  }

  /**
   * Who may read the metrics: a scraper with BERTH_METRICS_TOKEN, or a Berth
   * administrator's key. They are server-wide (every organization's counts),
   * so an organization's own keys are refused.
   */
  async authorizeMetrics(token: string | undefined, source: RequestSource = {}): Promise<void> {
    const expected = this.d.config.metricsToken;
    const matches = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
    if (token && expected && matches(token, expected)) return;
    const p = await this.authenticate(token, source);
    if (!p.systemAdmin) {
      throw new AppError('forbidden', 'the metrics are for Berth administrators and the metrics scraper', {
        hint: "send a Berth administrator's API key, or the BERTH_METRICS_TOKEN the server was started with",
      });
    }
  }

  /** Counts a request that carries no credentials (public routes); throws `rate_limited` past the limit. */
  async admitAnonymous(source: RequestSource): Promise<void> {
    await this.limits.take('anonymous', source.ip ?? 'unknown');
  }

  /** Calls `f` when a key stops working early (revoked, member removed), so open connections can end. */
  onCredentialsRevoked(f: (ev: KeyRevokedEvent) => void): () => void {
    return this.d.bus.subscribe(KEY_REVOKED, (raw) => f(raw as KeyRevokedEvent));
  }

  /** Deletes sandboxes older than their organization's lifetime quota. */
  async enforceLifetimes(): Promise<string[]> {
    const over = await this.quotas.overLifetime();
    const done: string[] = [];
    for (const o of over) {
      try {
        await this.sandboxes.request(systemPrincipal(o.organizationId), o.sandboxId, 'delete', { waitMs: 0 });
        this.d.log.info('sandbox reached its lifetime limit; deleting it', {
          sandboxId: o.sandboxId,
          ageMinutes: o.ageMinutes,
          limitMinutes: o.limit,
        });
        done.push(o.sandboxId);
      } catch (e) {
        this.d.log.warn('lifetime limit: delete failed', { sandboxId: o.sandboxId, error: (e as Error).message });
      }
    }
    return done;
  }

  bootstrap(adminKey?: string): Promise<BootstrapResult> {
    return bootstrapAdmin(this.d.store, this.keys, this.d.clock, adminKey);
  }

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    return this.d.bus.subscribe(topic, handler);
  }

  async health(): Promise<Health> {
    const probe = async (f: () => Promise<unknown>) => {
      try {
        await f();
        return { ok: true };
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    };
    const apiOnly = !this.d.config.localRunner;
    const [store, bus, engine] = await Promise.all([
      probe(() => this.d.store.ping()),
      probe(() => this.d.bus.ping()),
      // An API-only replica has no engine to be broken: it is not asked.
      apiOnly ? ({ ok: true } as RunnerHealth) : this.d.runner.health(),
    ]);
    return {
      status: store.ok && bus.ok && engine.ok ? 'ok' : 'degraded',
      version: '',
      store: { ...store, kind: this.d.store.kind },
      bus: { ...bus, kind: this.d.bus.kind },
      engine: apiOnly
        ? { ok: true, kind: 'none', note: 'BERTH_LOCAL_RUNNER=false: sandboxes run on remote runners only' }
        : { ok: engine.ok, ...(engine.error ? { error: engine.error } : {}), ...(engine.engine ?? {}) },
      mode: apiOnly ? 'api-only' : 'embedded',
      runners: { linked: this.runnerLinks.linked().length },
    };
  }

  /** Removes containers, archives, network namespaces and rules of sandboxes the store does not know; returns their ids. */
  reap(): Promise<string[]> {
    return this.reconciler.reap(this.d.reapNetwork);
  }

  /** Reconciles everything once: call at boot (crash recovery) before serving. */
  async recover(): Promise<string[]> {
    await this.fleet?.refresh().catch(() => {});
    await this.builds
      .recover()
      .catch((e) => this.d.log.warn('could not recover builds', { error: (e as Error).message }));
    const orphans = await this.reap();
    await this.reconciler.sweep();
    return orphans;
  }

  /** Starts the periodic safety-net sweep and reaper. */
  startBackground(): void {
    const sweep = this.d.clock.setInterval(() => {
      void this.fleet?.refresh().catch(() => {});
      void this.reconciler.sweep().catch((e) => this.d.log.warn('sweep failed', { error: (e as Error).message }));
    }, this.d.config.sweepSeconds * 1000);
    const reap = this.d.clock.setInterval(
      () => void this.reap().catch(() => {}),
      Math.max(60_000, this.d.config.sweepSeconds * 4000),
    );
    const disks = this.d.clock.setInterval(
      () => void this.reconciler.checkDisks().catch(() => {}),
      this.d.config.diskCheckSeconds * 1000,
    );
    const lifetimes = this.d.clock.setInterval(() => void this.enforceLifetimes().catch(() => {}), 60_000);
    const retention = this.d.clock.setInterval(() => {
      void this.audit.prune(this.d.config.auditRetentionDays).catch(() => {});
      void this.sessions.prune().catch(() => {});
    }, 3_600_000);
    const buildCache = this.d.clock.setInterval(() => void this.pruneImages().catch(() => {}), 3_600_000);
    for (const t of [sweep, reap, disks, lifetimes, retention, buildCache]) t.unref();
    this.timers.push(sweep, reap, disks, lifetimes, retention, buildCache);
    this.sandboxMetrics.start();
  }

  /** Removes cached dynamic images nobody used for BERTH_BUILD_CACHE_DAYS (never one a sandbox runs). */
  pruneImages(): Promise<number> {
    return this.builds.prune((ref) => this.sandboxRepo.imageInUse(ref));
  }

  async close(): Promise<void> {
    for (const t of this.timers) t.clear();
    this.timers = [];
    this.unmoved();
    this.runnerLinks.close();
    this.previewGate.close();
    await this.warmPool.close();
    this.sandboxMetrics.close();
    await this.builds.close();
    this.objects.close();
    await this.reconciler.close();
    await this.audit.close();
    await this.counters.close();
  }
}

// The orchestrator facade: the one object every edge (HTTP, MCP, CLI server
// side, gateways) calls. Edges parse and authorise; all logic lives below.
import { AppError } from '../common/errors.js';
import type { Clock } from '../common/clock.js';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/log.js';
import type { RunnerClient } from '../common/wire/runner.js';
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
import { Relay } from './relay/index.js';

export type { Principal } from './principal.js';
export type { MessageChannel } from './toolbox/channel.js';
export type { Relay, SessionRecord, LoggedEvent, EventLog } from './relay/index.js';
export type { Sandbox, SandboxEvent } from './sandboxes/model.js';
export { SANDBOX_EVENTS } from './sandboxes/model.js';
export { SORT_COLUMNS, type ListFilter, type ListPage, type SortKey } from './sandboxes/query.js';
export { SANDBOX_STATES, reportedState, type SandboxState } from './sandboxes/states.js';
export type { Snapshot } from './snapshots/model.js';
export type { Volume } from './volumes/model.js';
export { SIGNED_PREVIEW_MAX_SECONDS } from './preview/service.js';
export { AUTO_ARCHIVE_MAX_MINUTES } from './sandboxes/reconciler.js';

export interface OrchestratorDeps {
  config: Config;
  store: Store;
  bus: Bus;
  locks: Locks;
  runner: RunnerClient;
  clock: Clock;
  log: Logger;
  /** Optional extra cleanup for the reaper (the runner's iptables chains). */
  reapNetwork?: (known: Set<string>) => Promise<number>;
  /** Shared protocol-session state (MCP); in-process when omitted. */
  relay?: Relay;
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  store: { ok: boolean; kind: string; error?: string };
  bus: { ok: boolean; kind: string; error?: string };
  engine: { ok: boolean; error?: string; [k: string]: unknown };
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
  /** Toolbox capabilities on started sandboxes (one object per capability). */
  readonly toolbox: { access: ToolboxAccess; process: ProcessToolbox; files: FilesToolbox; edit: FileEditToolbox; watch: FileWatch; gitDiff: GitDiffToolbox; terminal: TerminalToolbox; grep: GrepToolbox; pty: PtyToolbox; lsp: LspToolbox; interpreter: InterpreterToolbox; fileSearch: FileSearchToolbox; sessions: SessionsToolbox; codeRun: CodeRunToolbox; git: GitToolbox; system: SystemToolbox };
  /** Session records, resumable stream logs and cross-replica signals for MCP sessions. */
  readonly relay: Relay;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly d: OrchestratorDeps) {
    const repo = new SandboxRepo(d.store);
    const activity = new Activity(repo, d.clock);
    this.keys = new KeyService(d.store, d.clock);
    this.reconciler = new Reconciler({
      repo,
      runner: d.runner,
      locks: d.locks,
      bus: d.bus,
      clock: d.clock,
      log: d.log.child({ component: 'reconciler' }),
      spec: (s) => SandboxService.spec(s, s.imageConfig ?? undefined),
      busy: (id) => activity.busy(id),
      diskLimitEnforced: () => d.runner.engineInfo()?.diskLimit === 'enforced',
    });
    this.snapshots = new SnapshotService({ store: d.store, runner: d.runner, clock: d.clock, config: d.config, limits: () => this.sandboxes.limits() });
    this.volumes = new VolumeService({ store: d.store, runner: d.runner, clock: d.clock });
    this.sandboxes = new SandboxService({ repo, runner: d.runner, reconciler: this.reconciler, bus: d.bus, clock: d.clock, config: d.config, log: d.log, activity, snapshots: this.snapshots, volumes: this.volumes });
    this.settings = new SandboxSettings({ repo, sandboxes: this.sandboxes, runner: d.runner, clock: d.clock });
    this.preview = new PreviewService({ store: d.store, sandboxes: this.sandboxes, clock: d.clock, config: d.config });
    const access = new ToolboxAccess(this.sandboxes);
    this.toolbox = { access, process: new ProcessToolbox(access), files: new FilesToolbox(access), edit: new FileEditToolbox(access), watch: new FileWatch(this.sandboxes, (id) => d.runner.daemon(id)), gitDiff: new GitDiffToolbox(access), terminal: new TerminalToolbox(new PtyToolbox(access)), grep: new GrepToolbox(access), pty: new PtyToolbox(access), lsp: new LspToolbox(access), interpreter: new InterpreterToolbox(access), fileSearch: new FileSearchToolbox(access), sessions: new SessionsToolbox(access), codeRun: new CodeRunToolbox(access), git: new GitToolbox(access), system: new SystemToolbox(access) };
    this.relay = d.relay ?? Relay.memory(d.bus);
  }

  /** Resolves a bearer token to a principal, or throws `unauthorized`. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new AppError('unauthorized', 'missing API key', { hint: 'send `Authorization: Bearer <api key>`' });
    const p = await this.keys.authenticate(token);
    if (!p) throw new AppError('unauthorized', 'invalid, expired or revoked API key', { hint: 'check the key, or create a new one' });
    return p;
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
    const [store, bus, engine] = await Promise.all([probe(() => this.d.store.ping()), probe(() => this.d.bus.ping()), this.d.runner.health()]);
    return {
      status: store.ok && bus.ok && engine.ok ? 'ok' : 'degraded',
      version: '',
      store: { ...store, kind: this.d.store.kind },
      bus: { ...bus, kind: this.d.bus.kind },
      engine: { ok: engine.ok, ...(engine.error ? { error: engine.error } : {}), ...(engine.engine ?? {}) },
    };
  }

  /** Reconciles everything once: call at boot (crash recovery) before serving. */
  async recover(): Promise<string[]> {
    const orphans = await this.reconciler.reap(this.d.reapNetwork);
    await this.reconciler.sweep();
    return orphans;
  }

  /** Starts the periodic safety-net sweep and reaper. */
  startBackground(): void {
    const sweep = setInterval(() => void this.reconciler.sweep().catch((e) => this.d.log.warn('sweep failed', { error: (e as Error).message })), this.d.config.sweepSeconds * 1000);
    const reap = setInterval(() => void this.reconciler.reap(this.d.reapNetwork).catch(() => {}), Math.max(60_000, this.d.config.sweepSeconds * 4000));
    const disks = setInterval(() => void this.reconciler.checkDisks().catch(() => {}), this.d.config.diskCheckSeconds * 1000);
    sweep.unref();
    reap.unref();
    disks.unref();
    this.timers.push(sweep, reap, disks);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.reconciler.close();
  }
}

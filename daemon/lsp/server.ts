// One running language server for a (language, project): started, kept in
// sync with the files on disk (documents are opened on demand and re-sent
// when they changed), asked questions, stopped.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { AppError } from '../../common/errors.js';
import type {
  LspCompletionList,
  LspDiagnostic,
  LspHover,
  LspLocation,
  LspLanguage,
  LspPosition,
  LspSymbol,
} from '../../common/wire/lsp.js';
import type { DaemonContext } from '../context.js';
import { fsError } from '../errors.js';
import { killTree } from '../procfs.js';
import * as convert from './convert.js';
import { JsonRpc, loadRpcLibrary } from './jsonrpc.js';
import { launchFor } from './launch.js';

const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 60_000;
const MAX_DOCUMENT_BYTES = 8 << 20;

interface OpenDocument {
  version: number;
  mtimeMs: number;
  size: number;
  /** When the server was last told about this document's content. */
  syncedAt: number;
}

interface Published {
  at: number;
  list: unknown;
}

export class LanguageServer {
  private child: ChildProcess | null = null;
  private rpc: JsonRpc | null = null;
  private readonly docs = new Map<string, OpenDocument>();
  private readonly published = new Map<string, Published>();
  private readonly publishWaiters = new Set<() => void>();
  private exitInfo: string | null = null;
  private started: Promise<void> | null = null;

  constructor(
    private readonly ctx: DaemonContext,
    readonly language: LspLanguage,
    readonly project: string,
    private readonly onExit: (s: LanguageServer, how: string) => void,
  ) {}

  get running(): boolean {
    return this.child !== null && this.exitInfo === null;
  }

  /** Spawns and initialises the server; concurrent callers share the same start. */
  start(): Promise<void> {
    this.started ??= this.doStart().catch((e) => {
      this.kill();
      throw e;
    });
    return this.started;
  }

  private async doStart(): Promise<void> {
    const launch = launchFor(this.language, this.ctx.bundleDir);
    const child = this.ctx.spawner.spawn(launch.command, launch.args, {
      cwd: this.project,
      env: this.ctx.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let stderrTail = '';
    child.stderr!.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString('utf8')).slice(-2000)));
    child.stdin!.on('error', () => {});
    const rpc = new JsonRpc(loadRpcLibrary(this.ctx.bundleDir), child.stdout!, child.stdin!, {
      onNotification: (method, params) => this.notification(method, params),
      onRequest: (method, params) => this.serverRequest(method, params),
    });
    this.rpc = rpc;
    const exited = new Promise<never>((_resolve, reject) => {
      const fail = (how: string) => {
        this.exitInfo = how;
        const err = new AppError(
          'unavailable',
          `the ${this.language} language server for ${this.project} ${how}${stderrTail ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
          {
            reason: 'LSP_SERVER_EXITED',
            hint: 'start it again with POST /lsp/start',
          },
        );
        rpc.dispose(err);
        this.onExit(this, how);
        reject(err);
      };
      child.once('error', (e) => fail(`could not start (${e.message})`));
      child.once('exit', (code, signal) => fail(signal ? `was killed (${signal})` : `exited with code ${code}`));
    });
    exited.catch(() => {});
    const rootUri = convert.pathToUri(this.project);
    await Promise.race([
      exited,
      rpc.request(
        'initialize',
        {
          processId: process.pid,
          clientInfo: { name: 'berth' },
          rootUri,
          rootPath: this.project,
          workspaceFolders: [{ uri: rootUri, name: this.project.split('/').pop() || this.project }],
          initializationOptions: launch.initializationOptions,
          capabilities: {
            textDocument: {
              synchronization: { dynamicRegistration: false, didSave: false, willSave: false },
              completion: {
                contextSupport: true,
                completionItem: {
                  snippetSupport: false,
                  documentationFormat: ['markdown', 'plaintext'],
                  labelDetailsSupport: false,
                },
              },
              hover: { contentFormat: ['markdown', 'plaintext'] },
              definition: { linkSupport: true },
              documentSymbol: { hierarchicalDocumentSymbolSupport: false },
              publishDiagnostics: { relatedInformation: false, versionSupport: true },
            },
            workspace: {
              symbol: {},
              configuration: true,
              workspaceFolders: true,
              didChangeConfiguration: { dynamicRegistration: false },
            },
            window: { workDoneProgress: false },
          },
        },
        START_TIMEOUT_MS,
      ),
    ]);
    rpc.notify('initialized', {});
  }

  private notification(method: string, params: unknown): void {
    if (method !== 'textDocument/publishDiagnostics') return;
    const p = params as { uri?: string; diagnostics?: unknown };
    if (!p?.uri) return;
    this.published.set(p.uri, { at: Date.now(), list: p.diagnostics });
    for (const w of [...this.publishWaiters]) w();
  }

  private serverRequest(method: string, params: unknown): unknown {
    // Configuration: one entry per requested item; null means "use your defaults".
    if (method === 'workspace/configuration') return ((params as { items?: unknown[] })?.items ?? []).map(() => null);
    if (method === 'workspace/workspaceFolders') return [{ uri: convert.pathToUri(this.project), name: this.project }];
    return null;
  }

  private live(): JsonRpc {
    if (!this.rpc || !this.running)
      throw new AppError(
        'invalid_argument',
        `the ${this.language} language server for ${this.project} is not running`,
        { reason: 'LSP_SERVER_NOT_INITIALIZED', hint: 'start it with POST /lsp/start' },
      );
    return this.rpc;
  }

  /** Tells the server about a file's current content (opening it, or re-sending it if it changed on disk). */
  sync(path: string, force = false): string {
    const rpc = this.live();
    const uri = convert.pathToUri(path);
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      throw fsError(e, path);
    }
    if (!st.isFile()) throw new AppError('invalid_argument', `${path} is not a file`, { reason: 'INVALID_FILE_PATH' });
    if (st.size > MAX_DOCUMENT_BYTES)
      throw new AppError('payload_too_large', `${path} is larger than ${MAX_DOCUMENT_BYTES} bytes`, {
        reason: 'FILE_TOO_LARGE',
      });
    const doc = this.docs.get(uri);
    if (doc && !force && doc.mtimeMs === st.mtimeMs && doc.size === st.size) return uri;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw fsError(e, path);
    }
    if (!doc) {
      this.docs.set(uri, { version: 1, mtimeMs: st.mtimeMs, size: st.size, syncedAt: Date.now() });
      rpc.notify('textDocument/didOpen', {
        textDocument: { uri, languageId: convert.documentLanguage(path, this.language), version: 1, text },
      });
    } else {
      doc.version++;
      doc.mtimeMs = st.mtimeMs;
      doc.size = st.size;
      doc.syncedAt = Date.now();
      rpc.notify('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [{ text }] });
    }
    return uri;
  }

  didOpen(path: string): void {
    this.sync(path, true);
  }

  didClose(path: string): void {
    const rpc = this.live();
    const uri = convert.pathToUri(path);
    if (!this.docs.delete(uri)) return;
    this.published.delete(uri);
    rpc.notify('textDocument/didClose', { textDocument: { uri } });
  }

  async completions(
    path: string,
    position: LspPosition,
    context?: { triggerKind: number; triggerCharacter?: string },
  ): Promise<LspCompletionList> {
    const uri = this.sync(path);
    const r = await this.live().request(
      'textDocument/completion',
      { textDocument: { uri }, position, ...(context ? { context } : {}) },
      REQUEST_TIMEOUT_MS,
    );
    return convert.completions(r);
  }

  async documentSymbols(path: string): Promise<LspSymbol[]> {
    const uri = this.sync(path);
    return convert.documentSymbols(
      await this.live().request('textDocument/documentSymbol', { textDocument: { uri } }, REQUEST_TIMEOUT_MS),
      uri,
    );
  }

  async workspaceSymbols(query: string): Promise<LspSymbol[]> {
    try {
      return convert.workspaceSymbols(await this.live().request('workspace/symbol', { query }, REQUEST_TIMEOUT_MS));
    } catch (e) {
      // typescript-language-server answers "No Project" until some file of the project is open.
      if (e instanceof AppError && e.reason === 'LSP_REQUEST_FAILED' && /no project/i.test(e.message)) return [];
      throw e;
    }
  }

  async hover(path: string, position: LspPosition): Promise<LspHover | null> {
    const uri = this.sync(path);
    return convert.hover(
      await this.live().request('textDocument/hover', { textDocument: { uri }, position }, REQUEST_TIMEOUT_MS),
    );
  }

  async definition(path: string, position: LspPosition): Promise<LspLocation[]> {
    const uri = this.sync(path);
    return convert.locations(
      await this.live().request('textDocument/definition', { textDocument: { uri }, position }, REQUEST_TIMEOUT_MS),
    );
  }

  /**
   * The diagnostics the server published for a file. After (re)sending the
   * file it waits for a fresh publication (up to `waitMs`), then briefly for
   * follow-ups, since servers may publish in stages.
   */
  async diagnostics(path: string, waitMs = 10_000): Promise<LspDiagnostic[]> {
    const uri = this.sync(path);
    const syncedAt = this.docs.get(uri)!.syncedAt;
    const fresh = () => (this.published.get(uri)?.at ?? -1) >= syncedAt;
    await this.waitFor(fresh, waitMs);
    if (fresh()) {
      let last = this.published.get(uri)!.at;
      for (;;) {
        await this.waitFor(() => (this.published.get(uri)?.at ?? last) !== last, 300);
        const now = this.published.get(uri)?.at ?? last;
        if (now === last) break;
        last = now;
      }
    }
    return convert.diagnostics(this.published.get(uri)?.list);
  }

  private waitFor(pred: () => boolean, ms: number): Promise<void> {
    if (pred() || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.publishWaiters.delete(check);
        resolve();
      };
      const check = () => {
        if (pred() || !this.running) done();
      };
      const timer = setTimeout(done, ms);
      this.publishWaiters.add(check);
    });
  }

  /** Polite shutdown, then the whole process group is killed. */
  async stop(): Promise<void> {
    if (this.rpc && this.running) {
      await this.rpc.request('shutdown', null, 3000).catch(() => {});
      this.rpc.notify('exit', null);
      await new Promise<void>((resolve) => {
        if (!this.running) return resolve();
        const t = setTimeout(resolve, 1500);
        this.child?.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.kill();
  }

  private kill(): void {
    if (this.child?.pid) killTree(this.child.pid, 'SIGKILL');
    for (const w of [...this.publishWaiters]) w();
  }
}

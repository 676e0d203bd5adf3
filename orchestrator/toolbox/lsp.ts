// Language servers in a sandbox (compat spec §4.9): one server per
// (languageId, pathToProject), started and stopped explicitly. Diagnostics,
// hover and definition are Berth additions for MCP and the REST extensions.
import type {
  LspCompletionList,
  LspCompletionRequest,
  LspDiagnostic,
  LspDiagnosticsRequest,
  LspDocumentRequest,
  LspHover,
  LspLocation,
  LspPositionRequest,
  LspServerRequest,
  LspSymbol,
  LspWorkspaceSymbolsRequest,
} from '../../common/wire/lsp.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

export class LspToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  private post<T>(p: Principal, sandboxId: string, path: string, body: unknown): Promise<T> {
    return this.access.run(p, sandboxId, ({ daemon }) => daemon.call<T>('POST', `/lsp/${path}`, { body }));
  }

  /** Starts the server (idempotent); resolves once it has initialised. */
  async start(p: Principal, sandboxId: string, req: LspServerRequest): Promise<void> {
    await this.post(p, sandboxId, 'start', req);
  }
  async stop(p: Principal, sandboxId: string, req: LspServerRequest): Promise<void> {
    await this.post(p, sandboxId, 'stop', req);
  }
  async didOpen(p: Principal, sandboxId: string, req: LspDocumentRequest): Promise<void> {
    await this.post(p, sandboxId, 'did-open', req);
  }
  async didClose(p: Principal, sandboxId: string, req: LspDocumentRequest): Promise<void> {
    await this.post(p, sandboxId, 'did-close', req);
  }
  completions(p: Principal, sandboxId: string, req: LspCompletionRequest): Promise<LspCompletionList> {
    return this.post(p, sandboxId, 'completions', req);
  }
  documentSymbols(p: Principal, sandboxId: string, req: LspDocumentRequest): Promise<LspSymbol[]> {
    return this.post(p, sandboxId, 'document-symbols', req);
  }
  workspaceSymbols(p: Principal, sandboxId: string, req: LspWorkspaceSymbolsRequest): Promise<LspSymbol[]> {
    return this.post(p, sandboxId, 'workspace-symbols', req);
  }
  /** Problems the server reports for a file (opened for the call if needed). */
  diagnostics(p: Principal, sandboxId: string, req: LspDiagnosticsRequest): Promise<LspDiagnostic[]> {
    return this.post(p, sandboxId, 'diagnostics', req);
  }
  /** Type and documentation at a position; null when there is nothing to show. */
  hover(p: Principal, sandboxId: string, req: LspPositionRequest): Promise<LspHover | null> {
    return this.post(p, sandboxId, 'hover', req);
  }
  /** Where the symbol at a position is defined (possibly several places). */
  definition(p: Principal, sandboxId: string, req: LspPositionRequest): Promise<LspLocation[]> {
    return this.post(p, sandboxId, 'definition', req);
  }
}

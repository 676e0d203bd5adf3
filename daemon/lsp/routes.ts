// Daemon routes for language servers (compat spec §4.9, plus diagnostics,
// hover and definition). One server per (languageId, project folder).
import { statSync } from 'node:fs';
import { AppError } from '../../common/errors.js';
import {
  LspCompletionRequest,
  LspDiagnosticsRequest,
  LspDocumentRequest,
  LspPositionRequest,
  LspServerRequest,
  LspWorkspaceSymbolsRequest,
} from '../../common/wire/lsp.js';
import type { DaemonContext } from '../context.js';
import { resolvePath } from '../paths.js';
import { readJson, sendJson, type Router } from '../router.js';
import { uriToPath } from './convert.js';
import { LanguageServer } from './server.js';

const MAX_SERVERS = 8;

export function registerLsp(router: Router, ctx: DaemonContext): void {
  const servers = new Map<string, LanguageServer>();
  /** Why a server is gone, so "not initialized" can say it crashed rather than was never started. */
  const exits = new Map<string, string>();

  const project = (p: string) => resolvePath(ctx.paths, p, 'pathToProject');
  const key = (req: LspServerRequest) => `${req.languageId}\u0000${project(req.pathToProject)}`;

  const running = (req: LspServerRequest): LanguageServer => {
    const s = servers.get(key(req));
    if (s?.running) return s;
    const why = exits.get(key(req));
    throw new AppError(
      'invalid_argument',
      `no ${req.languageId} language server is running for ${project(req.pathToProject)}${why ? ` (it ${why})` : ''}`,
      {
        reason: 'LSP_SERVER_NOT_INITIALIZED',
        hint: 'start it first with POST /lsp/start (the SDK: lsp.start())',
      },
    );
  };

  router.on('POST', '/lsp/start', async ({ req, res }) => {
    const body = await readJson(req, LspServerRequest);
    const dir = project(body.pathToProject);
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new AppError('invalid_argument', `project folder ${dir} does not exist or is not a folder`, {
        reason: 'INVALID_FILE_PATH',
        hint: 'create it first, or pass the folder that holds the code',
      });
    }
    const k = key(body);
    let s = servers.get(k);
    if (!s) {
      if (servers.size >= MAX_SERVERS)
        throw new AppError('failed_precondition', `this sandbox already runs ${MAX_SERVERS} language servers`, {
          reason: 'LSP_LIMIT',
          hint: 'stop servers you no longer use with POST /lsp/stop',
        });
      s = new LanguageServer(ctx, body.languageId, dir, (srv, how) => {
        if (servers.get(k) === srv) servers.delete(k);
        exits.set(k, how);
      });
      servers.set(k, s);
      exits.delete(k);
    }
    try {
      await s.start();
    } catch (e) {
      if (servers.get(k) === s) servers.delete(k);
      throw e;
    }
    sendJson(res, 200, {});
  });

  router.on('POST', '/lsp/stop', async ({ req, res }) => {
    const body = await readJson(req, LspServerRequest);
    const k = key(body);
    const s = servers.get(k);
    if (!s)
      throw new AppError(
        'invalid_argument',
        `no ${body.languageId} language server is running for ${project(body.pathToProject)}`,
        { reason: 'LSP_SERVER_NOT_INITIALIZED', hint: 'nothing to stop' },
      );
    servers.delete(k);
    await s.stop();
    exits.set(k, 'was stopped');
    sendJson(res, 200, {});
  });

  router.on('POST', '/lsp/did-open', async ({ req, res }) => {
    const body = await readJson(req, LspDocumentRequest);
    running(body).didOpen(uriToPath(ctx.paths, body.uri));
    sendJson(res, 200, {});
  });

  router.on('POST', '/lsp/did-close', async ({ req, res }) => {
    const body = await readJson(req, LspDocumentRequest);
    running(body).didClose(uriToPath(ctx.paths, body.uri));
    sendJson(res, 200, {});
  });

  router.on('POST', '/lsp/completions', async ({ req, res }) => {
    const body = await readJson(req, LspCompletionRequest);
    sendJson(res, 200, await running(body).completions(uriToPath(ctx.paths, body.uri), body.position, body.context));
  });

  router.on('POST', '/lsp/document-symbols', async ({ req, res }) => {
    const body = await readJson(req, LspDocumentRequest);
    sendJson(res, 200, await running(body).documentSymbols(uriToPath(ctx.paths, body.uri)));
  });

  router.on('POST', '/lsp/workspace-symbols', async ({ req, res }) => {
    const body = await readJson(req, LspWorkspaceSymbolsRequest);
    sendJson(res, 200, await running(body).workspaceSymbols(body.query));
  });

  router.on('POST', '/lsp/hover', async ({ req, res }) => {
    const body = await readJson(req, LspPositionRequest);
    sendJson(res, 200, await running(body).hover(uriToPath(ctx.paths, body.uri), body.position));
  });

  router.on('POST', '/lsp/definition', async ({ req, res }) => {
    const body = await readJson(req, LspPositionRequest);
    sendJson(res, 200, await running(body).definition(uriToPath(ctx.paths, body.uri), body.position));
  });

  router.on('POST', '/lsp/diagnostics', async ({ req, res }) => {
    const body = await readJson(req, LspDiagnosticsRequest);
    sendJson(res, 200, await running(body).diagnostics(uriToPath(ctx.paths, body.uri), body.waitMs));
  });
}

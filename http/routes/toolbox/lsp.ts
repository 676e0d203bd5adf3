// Toolbox LSP routes (compat spec §4.9), plus Berth's diagnostics, hover and
// definition (POST, same body shape as completions).
import { z } from 'zod';
import {
  LspCompletionRequest,
  LspDiagnosticsRequest,
  LspDocumentRequest,
  LspPositionRequest,
  LspServerRequest,
  LspWorkspaceSymbolsRequest,
} from '../../../common/wire/lsp.js';
import { principal } from '../../context.js';
import { firstValues } from '../../query-fields.js';
import { route, type RouteTable } from '../../route.js';

const tags = ['toolbox: LSP'];
const auth = 'key';

export function registerLsp(t: RouteTable): void {
  const lsp = t.d.orch.toolbox.lsp;
  const post = (path: string, summary: string) => ({ method: 'post', path, summary, tags, auth }) as const;
  route(t, { ...post('/lsp/start', 'Start a language server'), body: LspServerRequest }, async (ctx, { body }) => {
    await lsp.start(principal(ctx), ctx.params.sandboxId!, body);
    ctx.body = {};
  });
  route(t, { ...post('/lsp/stop', 'Stop a language server'), body: LspServerRequest }, async (ctx, { body }) => {
    await lsp.stop(principal(ctx), ctx.params.sandboxId!, body);
    ctx.body = {};
  });
  route(t, { ...post('/lsp/did-open', 'Open a document'), body: LspDocumentRequest }, async (ctx, { body }) => {
    await lsp.didOpen(principal(ctx), ctx.params.sandboxId!, body);
    ctx.body = {};
  });
  route(t, { ...post('/lsp/did-close', 'Close a document'), body: LspDocumentRequest }, async (ctx, { body }) => {
    await lsp.didClose(principal(ctx), ctx.params.sandboxId!, body);
    ctx.body = {};
  });
  route(
    t,
    { ...post('/lsp/completions', 'Completions at a position'), body: LspCompletionRequest },
    async (ctx, { body }) => {
      ctx.body = await lsp.completions(principal(ctx), ctx.params.sandboxId!, body);
    },
  );
  // The GET routes carry their request in the query string.
  const symbols = {
    method: 'get',
    path: '/lsp/document-symbols',
    summary: "A document's symbols",
    tags,
    auth,
    query: firstValues(LspDocumentRequest),
  } as const;
  route(t, symbols, async (ctx, { query }) => {
    ctx.body = await lsp.documentSymbols(principal(ctx), ctx.params.sandboxId!, query);
  });
  const workspace = firstValues(LspWorkspaceSymbolsRequest.extend({ query: z.string().default('') }));
  route(
    t,
    {
      method: 'get',
      path: '/lsp/workspacesymbols',
      summary: 'Symbols across the project',
      tags,
      auth,
      query: workspace,
    },
    async (ctx, { query }) => {
      ctx.body = await lsp.workspaceSymbols(principal(ctx), ctx.params.sandboxId!, query);
    },
  );
  route(
    t,
    { ...post('/lsp/diagnostics', "A document's diagnostics (Berth)"), body: LspDiagnosticsRequest },
    async (ctx, { body }) => {
      ctx.body = await lsp.diagnostics(principal(ctx), ctx.params.sandboxId!, body);
    },
  );
  route(
    t,
    { ...post('/lsp/hover', 'Hover information at a position (Berth)'), body: LspPositionRequest },
    async (ctx, { body }) => {
      // A JSON null body reads as "no content" to HTTP clients; wrap it.
      ctx.body = { hover: await lsp.hover(principal(ctx), ctx.params.sandboxId!, body) };
    },
  );
  route(
    t,
    { ...post('/lsp/definition', 'Where the symbol at a position is defined (Berth)'), body: LspPositionRequest },
    async (ctx, { body }) => {
      ctx.body = await lsp.definition(principal(ctx), ctx.params.sandboxId!, body);
    },
  );
}

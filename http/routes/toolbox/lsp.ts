// Toolbox LSP routes (compat spec §4.9), plus Berth's diagnostics, hover and
// definition (POST, same body shape as completions).
import { z } from 'zod';
import { AppError } from '../../../common/errors.js';
import {
  LspCompletionRequest,
  LspDiagnosticsRequest,
  LspDocumentRequest,
  LspPositionRequest,
  LspServerRequest,
  LspWorkspaceSymbolsRequest,
} from '../../../common/wire/lsp.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../../context.js';
import { body } from '../../parse.js';

/** The GET routes carry their request in the query string. */
function fromQuery<S extends z.ZodTypeAny>(ctx: Ctx, schema: S): z.output<S> {
  const raw = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const r = schema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
    throw new AppError('invalid_argument', `invalid request: ${problems.join('; ')}`, { hint: 'fix the listed query parameters', reason: 'BAD_REQUEST', details: { problems } });
  }
  return r.data;
}

export function registerLsp(router: ApiRouter, d: HttpDeps): void {
  const lsp = d.orch.toolbox.lsp;
  router.post('/lsp/start', async (ctx) => {
    await lsp.start(principal(ctx), ctx.params.sandboxId!, body(ctx, LspServerRequest));
    ctx.body = {};
  });
  router.post('/lsp/stop', async (ctx) => {
    await lsp.stop(principal(ctx), ctx.params.sandboxId!, body(ctx, LspServerRequest));
    ctx.body = {};
  });
  router.post('/lsp/did-open', async (ctx) => {
    await lsp.didOpen(principal(ctx), ctx.params.sandboxId!, body(ctx, LspDocumentRequest));
    ctx.body = {};
  });
  router.post('/lsp/did-close', async (ctx) => {
    await lsp.didClose(principal(ctx), ctx.params.sandboxId!, body(ctx, LspDocumentRequest));
    ctx.body = {};
  });
  router.post('/lsp/completions', async (ctx) => {
    ctx.body = await lsp.completions(principal(ctx), ctx.params.sandboxId!, body(ctx, LspCompletionRequest));
  });
  router.get('/lsp/document-symbols', async (ctx) => {
    ctx.body = await lsp.documentSymbols(principal(ctx), ctx.params.sandboxId!, fromQuery(ctx, LspDocumentRequest));
  });
  router.get('/lsp/workspacesymbols', async (ctx) => {
    ctx.body = await lsp.workspaceSymbols(principal(ctx), ctx.params.sandboxId!, fromQuery(ctx, LspWorkspaceSymbolsRequest.extend({ query: z.string().default('') })));
  });
  router.post('/lsp/diagnostics', async (ctx) => {
    ctx.body = await lsp.diagnostics(principal(ctx), ctx.params.sandboxId!, body(ctx, LspDiagnosticsRequest));
  });
  router.post('/lsp/hover', async (ctx) => {
    // A JSON null body reads as "no content" to HTTP clients; wrap it.
    ctx.body = { hover: await lsp.hover(principal(ctx), ctx.params.sandboxId!, body(ctx, LspPositionRequest)) };
  });
  router.post('/lsp/definition', async (ctx) => {
    ctx.body = await lsp.definition(principal(ctx), ctx.params.sandboxId!, body(ctx, LspPositionRequest));
  });
}

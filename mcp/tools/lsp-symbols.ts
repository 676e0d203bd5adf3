import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { LocationOut, fileUri, locationOut, server, where } from './lsp-shapes.js';

export default defineTool({
  name: 'lsp_symbols',
  group: 'lsp',
  title: 'Symbols of a file or project',
  description:
    'Lists the symbols (classes, functions, variables) of a file, or with query instead of path, searches the project\u2019s symbols by name.',
  input: z.object({
    sandbox_id: sandboxId,
    ...server,
    path: z.string().min(1).optional().describe('a file: its symbols'),
    query: z.string().optional().describe('without path: project symbols matching this'),
  }),
  output: z.object({
    symbols: z.array(
      z.object({ name: z.string(), kind: z.number(), container: z.string().nullable(), location: LocationOut }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const lsp = orch.toolbox.lsp;
    const srv = { languageId: a.language, pathToProject: a.project_path };
    let list;
    if (a.path) {
      const doc = { ...srv, uri: fileUri(a.path) };
      await lsp.didOpen(principal, a.sandbox_id, doc).catch(() => {});
      list = await lsp.documentSymbols(principal, a.sandbox_id, doc);
    } else list = await lsp.workspaceSymbols(principal, a.sandbox_id, { ...srv, query: a.query ?? '' });
    const symbols = list.map((s) => ({
      name: s.name,
      kind: s.kind,
      container: s.containerName ?? null,
      location: locationOut(s.location),
    }));
    return {
      data: { symbols },
      text: symbols.length
        ? symbols.map((s) => `${s.container ? `${s.container}.` : ''}${s.name}  ${where(s.location)}`).join('\n')
        : 'No symbols.',
    };
  },
});

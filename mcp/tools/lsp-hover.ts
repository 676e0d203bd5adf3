import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { RangeOut, fileUri, position, rangeOut, server, toWire } from './lsp-shapes.js';

export default defineTool({
  name: 'lsp_hover',
  group: 'lsp',
  title: 'Type and docs at a position',
  description: 'Shows the type signature and documentation of the symbol at a line and column of a file.',
  input: z.object({ sandbox_id: sandboxId, ...server, path: z.string().min(1), ...position }),
  output: z.object({ contents: z.string().nullable(), range: RangeOut.nullable() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const doc = { languageId: a.language, pathToProject: a.project_path, uri: fileUri(a.path) };
    await orch.toolbox.lsp.didOpen(principal, a.sandbox_id, doc).catch(() => {});
    const h = await orch.toolbox.lsp.hover(principal, a.sandbox_id, { ...doc, position: toWire(a.line, a.column) });
    return {
      data: { contents: h?.contents ?? null, range: h?.range ? rangeOut(h.range) : null },
      text: h?.contents || 'Nothing to show here.',
    };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { fileUri, position, server, toWire } from './lsp-shapes.js';

export default defineTool({
  name: 'lsp_completions',
  group: 'lsp',
  title: 'Completions at a position',
  description:
    'Asks the language server what could be typed at a line and column of a file (members, names, keywords).',
  input: z.object({
    sandbox_id: sandboxId,
    ...server,
    path: z.string().min(1),
    ...position,
    limit: z.number().int().min(1).max(500).default(50),
  }),
  output: z.object({
    incomplete: z.boolean(),
    items: z.array(
      z.object({
        label: z.string(),
        kind: z.number().nullable(),
        detail: z.string().nullable(),
        insert_text: z.string().nullable(),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const doc = { languageId: a.language, pathToProject: a.project_path, uri: fileUri(a.path) };
    await orch.toolbox.lsp.didOpen(principal, a.sandbox_id, doc).catch(() => {});
    const r = await orch.toolbox.lsp.completions(principal, a.sandbox_id, {
      ...doc,
      position: toWire(a.line, a.column),
    });
    const items = r.items.slice(0, a.limit).map((i) => ({
      label: i.label,
      kind: i.kind ?? null,
      detail: i.detail ?? null,
      insert_text: i.insertText ?? null,
    }));
    return {
      data: { incomplete: r.isIncomplete || r.items.length > a.limit, items },
      text: items.length
        ? items.map((i) => `${i.label}${i.detail ? ` — ${i.detail}` : ''}`).join('\n')
        : 'No completions.',
    };
  },
});

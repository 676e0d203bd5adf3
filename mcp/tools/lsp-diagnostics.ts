import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { RangeOut, fileUri, rangeOut, server } from './lsp-shapes.js';

const SEVERITY = ['', 'error', 'warning', 'information', 'hint'] as const;

export default defineTool({
  name: 'lsp_diagnostics',
  group: 'lsp',
  title: 'Problems in a file',
  description:
    'Returns the errors and warnings the language server reports for a file (type errors, undefined names, …). Start the server with lsp_start first.',
  input: z.object({
    sandbox_id: sandboxId,
    ...server,
    path: z.string().min(1).describe('file to check'),
    wait_ms: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(5000)
      .describe('how long to wait for the server\u2019s report'),
  }),
  output: z.object({
    diagnostics: z.array(
      z.object({
        severity: z.string(),
        message: z.string(),
        source: z.string().nullable(),
        code: z.string().nullable(),
        range: RangeOut,
      }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const list = await orch.toolbox.lsp.diagnostics(principal, a.sandbox_id, {
      languageId: a.language,
      pathToProject: a.project_path,
      uri: fileUri(a.path),
      waitMs: a.wait_ms,
    });
    const diagnostics = list.map((d) => ({
      severity: SEVERITY[d.severity ?? 1] ?? 'error',
      message: d.message,
      source: d.source ?? null,
      code: d.code === undefined ? null : String(d.code),
      range: rangeOut(d.range),
    }));
    return {
      data: { diagnostics },
      text: diagnostics.length
        ? diagnostics
            .map((d) => `${a.path}:${d.range.start_line}:${d.range.start_column} ${d.severity}: ${d.message}`)
            .join('\n')
        : `No problems in ${a.path}.`,
    };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { server } from './lsp-shapes.js';

export default defineTool({
  name: 'lsp_start',
  group: 'lsp',
  title: 'Start a language server',
  description:
    'Starts a language server (pyright for python, typescript-language-server for typescript/javascript) on a project folder. The other lsp_* tools use it.',
  input: z.object({ sandbox_id: sandboxId, ...server }),
  output: z.object({ language: z.string(), project_path: z.string(), started: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    await orch.toolbox.lsp.start(principal, a.sandbox_id, { languageId: a.language, pathToProject: a.project_path });
    return {
      data: { language: a.language, project_path: a.project_path, started: true },
      text: `${a.language} language server running on ${a.project_path}`,
    };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { server } from './lsp-shapes.js';

export default defineTool({
  name: 'lsp_stop',
  group: 'lsp',
  title: 'Stop a language server',
  description: 'Stops the language server of a language and project folder.',
  input: z.object({ sandbox_id: sandboxId, ...server }),
  output: z.object({ language: z.string(), project_path: z.string(), stopped: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    await orch.toolbox.lsp.stop(principal, a.sandbox_id, { languageId: a.language, pathToProject: a.project_path });
    return {
      data: { language: a.language, project_path: a.project_path, stopped: true },
      text: `${a.language} language server on ${a.project_path} stopped`,
    };
  },
});

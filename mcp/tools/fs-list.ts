import { z } from 'zod';
import { defineTool } from '../tool.js';
import { FileOut, fileLine, fileOut, sandboxId } from './shapes.js';

export default defineTool({
  name: 'fs_list',
  group: 'core',
  title: 'List a folder',
  description: 'Lists a folder in a sandbox (depth 1 by default; deeper lists include sub-folders\u2019 contents).',
  input: z.object({
    sandbox_id: sandboxId,
    path: z.string().min(1).default('.').describe('folder; default the working directory'),
    depth: z.number().int().min(1).max(10).default(1),
  }),
  output: z.object({ path: z.string(), entries: z.array(FileOut) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const entries = (await orch.toolbox.files.list(principal, a.sandbox_id, a.path, a.depth)).map(fileOut);
    return {
      data: { path: a.path, entries },
      text: entries.length ? entries.map(fileLine).join('\n') : `${a.path} is empty`,
    };
  },
});

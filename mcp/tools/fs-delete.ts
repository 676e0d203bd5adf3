import { z } from 'zod';
import { defineTool } from '../tool.js';
import { filePath, sandboxId } from './shapes.js';

export default defineTool({
  name: 'fs_delete',
  group: 'core',
  title: 'Delete a file or folder',
  description: 'Deletes a file, or a folder with recursive set (a non-empty folder needs recursive).',
  input: z.object({ sandbox_id: sandboxId, path: filePath, recursive: z.boolean().default(false) }),
  output: z.object({ path: z.string(), deleted: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    await orch.toolbox.files.remove(principal, a.sandbox_id, a.path, a.recursive);
    return { data: { path: a.path, deleted: true }, text: `Deleted ${a.path}` };
  },
});

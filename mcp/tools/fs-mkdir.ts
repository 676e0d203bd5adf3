import { z } from 'zod';
import { defineTool } from '../tool.js';
import { FileOut, fileOut, filePath, sandboxId } from './shapes.js';

export default defineTool({
  name: 'fs_mkdir',
  group: 'core',
  title: 'Create a folder',
  description: 'Creates a folder and any missing parents (like mkdir -p). Succeeds if it already exists.',
  input: z.object({
    sandbox_id: sandboxId,
    path: filePath,
    mode: z
      .string()
      .regex(/^[0-7]{3,4}$/)
      .optional()
      .describe('octal permissions, default 755'),
  }),
  output: z.object({ file: FileOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const f = fileOut(await orch.toolbox.files.mkdir(principal, a.sandbox_id, a.path, a.mode));
    return { data: { file: f }, text: `Folder ${f.path} exists` };
  },
});

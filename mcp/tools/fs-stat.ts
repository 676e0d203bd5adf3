import { z } from 'zod';
import { defineTool } from '../tool.js';
import { FileOut, fileLine, fileOut, filePath, sandboxId } from './shapes.js';

export default defineTool({
  name: 'fs_stat',
  group: 'core',
  title: 'File information',
  description: 'Shows size, type, permissions, owner and modification time of a file or folder.',
  input: z.object({ sandbox_id: sandboxId, path: filePath }),
  output: z.object({ file: FileOut }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const f = fileOut(await orch.toolbox.files.stat(principal, a.sandbox_id, a.path));
    return { data: { file: f }, text: fileLine(f) };
  },
});

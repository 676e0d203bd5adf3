import { z } from 'zod';
import { defineTool } from '../tool.js';
import { FileOut, fileOut, filePath, sandboxId } from './shapes.js';

export default defineTool({
  name: 'fs_move',
  group: 'core',
  title: 'Move or rename',
  description: 'Moves or renames a file or folder. Fails if the destination exists unless overwrite is set.',
  input: z.object({
    sandbox_id: sandboxId,
    source: filePath,
    destination: filePath,
    overwrite: z.boolean().default(false),
  }),
  output: z.object({ file: FileOut }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const f = fileOut(await orch.toolbox.files.move(principal, a.sandbox_id, a.source, a.destination, a.overwrite));
    return { data: { file: f }, text: `Moved ${a.source} to ${f.path}` };
  },
});

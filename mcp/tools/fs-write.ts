import { z } from 'zod';
import { defineTool } from '../tool.js';
import { FileOut, filePath, fileOut, sandboxId } from './shapes.js';

export default defineTool({
  name: 'fs_write',
  group: 'core',
  title: 'Write a file',
  description:
    'Creates or overwrites a whole file (parent folders are created). Content is UTF-8 text, or base64 for binary. The write is atomic: readers never see half a file.',
  input: z.object({
    sandbox_id: sandboxId,
    path: filePath,
    content: z.string().describe('the full new content'),
    encoding: z.enum(['utf-8', 'base64']).default('utf-8'),
    mode: z
      .string()
      .regex(/^[0-7]{3,4}$/)
      .optional()
      .describe('octal permissions, e.g. 755 (default: keep, or 644 for new files)'),
  }),
  output: z.object({ file: FileOut }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const f = fileOut(
      await orch.toolbox.edit.write(principal, a.sandbox_id, a.path, a.content, { encoding: a.encoding, mode: a.mode }),
    );
    return { data: { file: f }, text: `Wrote ${f.size} bytes to ${f.path}` };
  },
});

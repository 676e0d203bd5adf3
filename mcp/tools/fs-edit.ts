import { z } from 'zod';
import { defineTool } from '../tool.js';
import { FileOut, filePath, fileOut, sandboxId } from './shapes.js';

export default defineTool({
  name: 'fs_edit',
  group: 'core',
  title: 'Edit a file',
  description:
    'Replaces exact text in a file, edit by edit, and returns a unified diff. Each old_text must match the file exactly (whitespace included) and only once, unless replace_all is set; if any edit fails nothing is written. dry_run shows the diff without writing.',
  input: z.object({
    sandbox_id: sandboxId,
    path: filePath,
    edits: z
      .array(z.object({ old_text: z.string().min(1), new_text: z.string(), replace_all: z.boolean().default(false) }))
      .min(1)
      .max(100),
    dry_run: z.boolean().default(false),
  }),
  output: z.object({
    path: z.string(),
    replacements: z.number(),
    diff: z.string(),
    dry_run: z.boolean(),
    file: FileOut.optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const r = await orch.toolbox.edit.edit(
      principal,
      a.sandbox_id,
      a.path,
      a.edits.map((e) => ({ oldText: e.old_text, newText: e.new_text, replaceAll: e.replace_all })),
      { dryRun: a.dry_run },
    );
    return {
      data: {
        path: r.path,
        replacements: r.replacements,
        diff: r.diff,
        dry_run: r.dryRun,
        ...(r.file ? { file: fileOut(r.file) } : {}),
      },
      text: `${r.dryRun ? 'Would replace' : 'Replaced'} ${r.replacements} occurrence(s) in ${r.path}:\n${r.diff || '(no change)'}`,
    };
  },
});

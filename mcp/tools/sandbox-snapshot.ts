import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SnapshotOut, snapshotLine, snapshotOut } from './image-shapes.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'sandbox_snapshot',
  group: 'core',
  title: 'Save a sandbox as a snapshot',
  description:
    'Saves the sandbox\u2019s files (running or stopped) as a snapshot that new sandboxes can start from: ' +
    'sandbox_create with snapshot=<name>. Memory and running processes are not saved. The sandbox keeps running.',
  input: z.object({
    sandbox_id: sandboxId,
    name: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe('snapshot name (letters, digits, . _ : / @ -); default <sandbox name>-<time>'),
  }),
  output: z.object({ snapshot: SnapshotOut, sandbox_id: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal, progress }, a) {
    void progress({ progress: 0, message: `saving the files of ${a.sandbox_id}` });
    const r = await orch.stateOps.snapshot(principal, a.sandbox_id, a.name);
    const out = snapshotOut(r.snapshot);
    const text =
      `Saved sandbox ${r.sandbox.name} as snapshot ${snapshotLine(out)}\n` +
      `Start a copy with sandbox_create {"snapshot": "${out.name}"}.`;
    return { data: { snapshot: out, sandbox_id: r.sandbox.id }, text };
  },
});

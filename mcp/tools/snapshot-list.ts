import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SnapshotOut, snapshotLine, snapshotOut } from './image-shapes.js';

export default defineTool({
  name: 'snapshot_list',
  group: 'images',
  title: 'List snapshots',
  description:
    'Lists the snapshots of this API key\u2019s organization (images sandboxes start from: sandbox_create with ' +
    'snapshot=<name>), most recently used first.',
  input: z.object({
    name: z.string().max(255).optional().describe('only snapshots whose name contains this'),
    limit: z.number().int().min(1).max(200).default(50),
    page: z.number().int().min(1).default(1),
  }),
  output: z.object({ snapshots: z.array(SnapshotOut), total: z.number(), page: z.number(), total_pages: z.number() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const r = await orch.snapshots.list(principal, { name: a.name, limit: a.limit, page: a.page });
    const snapshots = r.items.map(snapshotOut);
    const more = r.page < r.totalPages ? `\n(more: page ${r.page + 1} of ${r.totalPages})` : '';
    const lines = snapshots.map((s) => `- ${snapshotLine(s)}`).join('\n');
    const text = snapshots.length ? `${r.total} snapshot(s):\n${lines}${more}` : 'No snapshots match.';
    return { data: { snapshots, total: r.total, page: r.page, total_pages: r.totalPages }, text };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { snapshotRef } from './image-shapes.js';

export default defineTool({
  name: 'snapshot_delete',
  group: 'images',
  title: 'Delete a snapshot',
  description:
    'Deletes a snapshot (and the image Berth built or saved for it; a registered image stays on the server). ' +
    'Refused while sandboxes created from it exist. A build still running is stopped.',
  input: z.object({ snapshot: snapshotRef }),
  output: z.object({ deleted: z.string().describe('the snapshot\u2019s name') }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const s = await orch.snapshots.get(principal, a.snapshot);
    await orch.snapshots.remove(principal, s.id);
    return { data: { deleted: s.name }, text: `Deleted snapshot ${s.name}.` };
  },
});

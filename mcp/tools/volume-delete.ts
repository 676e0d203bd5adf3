import { z } from 'zod';
import type { AppError } from '../../common/errors.js';
import { defineTool } from '../tool.js';

export default defineTool({
  name: 'volume_delete',
  group: 'volumes',
  title: 'Delete a volume',
  description:
    'Deletes a volume and all its data. Refused while a sandbox mounts it (delete those sandboxes first). This ' +
    'cannot be undone.',
  input: z.object({ volume: z.string().min(1).max(255).describe('volume name or id (volume_list shows them)') }),
  output: z.object({ deleted: z.string().describe('the volume\u2019s name') }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    // A name first, then an id; only "not found" falls through to the id.
    const v = await orch.volumes.getByName(principal, a.volume).catch((e: AppError) => {
      if (e.code === 'not_found') return orch.volumes.get(principal, a.volume);
      throw e;
    });
    await orch.volumes.remove(principal, v.id);
    return { data: { deleted: v.name }, text: `Deleted volume ${v.name}.` };
  },
});

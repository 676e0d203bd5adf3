import { z } from 'zod';
import { defineTool } from '../tool.js';
import { VolumeOut, volumeOut } from './image-shapes.js';

export default defineTool({
  name: 'volume_create',
  group: 'volumes',
  title: 'Create a volume',
  description:
    'Creates a volume: storage that outlives sandboxes. Mount it into sandboxes with sandbox_create ' +
    'volumes=[{volume, mount_path}]; several sandboxes can share it.',
  input: z.object({
    name: z.string().min(1).max(255).describe('letters, digits, . _ -, starting with a letter or digit'),
  }),
  output: z.object({ volume: VolumeOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const v = volumeOut(await orch.volumes.create(principal, a.name));
    return { data: { volume: v }, text: `Created volume ${v.name} (${v.id}).` };
  },
});

import { z } from 'zod';
import { defineTool } from '../tool.js';
import { VolumeOut, volumeOut } from './image-shapes.js';

export default defineTool({
  name: 'volume_list',
  group: 'volumes',
  title: 'List volumes',
  description:
    'Lists the volumes of this API key\u2019s organization: storage that outlives sandboxes, mounted with ' +
    'sandbox_create volumes=[{volume, mount_path}].',
  input: z.object({}),
  output: z.object({ volumes: z.array(VolumeOut) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }) {
    const volumes = (await orch.volumes.list(principal)).map(volumeOut);
    const text = volumes.length
      ? volumes.map((v) => `- ${v.name}: ${v.state} (${v.id})`).join('\n')
      : 'No volumes. Create one with volume_create.';
    return { data: { volumes }, text };
  },
});

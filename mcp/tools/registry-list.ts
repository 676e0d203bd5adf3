import { z } from 'zod';
import { defineTool } from '../tool.js';
import { RegistryOut, registryOut } from './image-shapes.js';

export default defineTool({
  name: 'registry_list',
  group: 'images',
  title: 'List private registries',
  description:
    'Lists the private Docker registries of this API key\u2019s organization (passwords are never shown). Images ' +
    'naming a registry\u2019s host are pulled with its credentials.',
  input: z.object({}),
  output: z.object({ registries: z.array(RegistryOut) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }) {
    const registries = (await orch.registries.list(principal)).map(registryOut);
    const text = registries.length
      ? registries.map((r) => `- ${r.name}: ${r.url} as ${r.username}`).join('\n')
      : 'No private registries. Add one with registry_add.';
    return { data: { registries }, text };
  },
});

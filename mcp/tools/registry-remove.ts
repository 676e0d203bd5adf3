import { z } from 'zod';
import { defineTool } from '../tool.js';

export default defineTool({
  name: 'registry_remove',
  group: 'images',
  title: 'Remove a private registry',
  description:
    'Removes a private registry and its stored credentials. Images already pulled stay; later pulls from that ' +
    'host go without credentials.',
  input: z.object({ registry: z.string().min(1).max(255).describe('registry name or id (registry_list shows them)') }),
  output: z.object({ removed: z.string().describe('the registry\u2019s name') }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const r = await orch.registries.get(principal, a.registry);
    await orch.registries.remove(principal, r.id);
    return { data: { removed: r.name }, text: `Removed registry ${r.name}.` };
  },
});

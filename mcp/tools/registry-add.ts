import { z } from 'zod';
import { defineTool } from '../tool.js';
import { RegistryOut, registryOut } from './image-shapes.js';

export default defineTool({
  name: 'registry_add',
  group: 'images',
  title: 'Add a private registry',
  description:
    'Adds a private Docker registry to the organization: snapshot_create and sandbox_create then pull images of ' +
    'that host (e.g. registry.example.com:5000/team/app:1) with these credentials, and builds may use them in ' +
    'FROM. The password is stored encrypted and never returned.',
  input: z.object({
    name: z.string().min(1).max(255),
    url: z.string().min(1).max(512).describe('registry host[:port], e.g. registry.example.com:5000'),
    username: z.string().min(1).max(255),
    password: z.string().min(1).max(4096).describe('password or access token'),
    project: z.string().max(255).optional(),
  }),
  output: z.object({ registry: RegistryOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const input = { name: a.name, url: a.url, username: a.username, password: a.password };
    const project = a.project ? { project: a.project } : {};
    const r = registryOut(await orch.registries.create(principal, { ...input, ...project }));
    return { data: { registry: r }, text: `Added registry ${r.name} (${r.url}, user ${r.username}).` };
  },
});

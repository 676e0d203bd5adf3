import { z } from 'zod';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_create',
  group: 'core',
  title: 'Create a sandbox',
  description:
    'Creates a hardened Docker sandbox and waits until it is started. Everything is optional: the default image has python3 (numpy, pandas, matplotlib), node, git and build tools. Returns the sandbox; use its id with the other tools.',
  input: z.object({
    name: z.string().max(63).optional().describe('unique name (letters, digits, . _ -); defaults to the id'),
    image: z.string().max(512).optional().describe('OCI image available on the server'),
    snapshot: z.string().max(512).optional().describe('snapshot name (alternative to image)'),
    env: z.record(z.string(), z.string()).optional().describe('environment variables'),
    labels: z.record(z.string(), z.string()).optional().describe('labels for finding it later with sandbox_list'),
    cpu: z.number().positive().optional().describe('cpu cores'),
    memory: z.number().positive().optional().describe('memory in GiB'),
    disk: z.number().positive().optional().describe('disk in GiB'),
    network_block_all: z.boolean().optional().describe('no network access at all'),
    network_allow_list: z
      .array(z.string())
      .max(100)
      .optional()
      .describe('IPv4 CIDRs the sandbox may reach (others are blocked)'),
    auto_stop_minutes: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('idle minutes before it stops (0 = never; default 15)'),
    auto_archive_minutes: z.number().int().min(0).optional().describe('stopped minutes before it is archived'),
    auto_delete_minutes: z
      .number()
      .int()
      .min(-1)
      .optional()
      .describe('stopped minutes before it is deleted (-1 = never, 0 = when stopped)'),
    public: z.boolean().optional().describe('preview URLs work without a token'),
    volumes: z
      .array(
        z.object({
          volume: z.string().min(1).max(255).describe('volume name or id (volume_list, volume_create)'),
          mount_path: z.string().min(2).max(1024).describe('absolute folder in the sandbox, e.g. /data'),
          subpath: z.string().max(1024).optional().describe('mount only this folder of the volume'),
        }),
      )
      .max(16)
      .optional()
      .describe('volumes to mount (shared storage that outlives the sandbox)'),
  }),
  output: z.object({ sandbox: SandboxOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const s = await orch.sandboxes.create(principal, {
      name: a.name,
      image: a.image,
      snapshot: a.snapshot,
      env: a.env,
      labels: a.labels,
      cpu: a.cpu,
      memory: a.memory,
      disk: a.disk,
      networkBlockAll: a.network_block_all,
      networkAllowList: a.network_allow_list,
      autoStopInterval: a.auto_stop_minutes,
      autoArchiveInterval: a.auto_archive_minutes,
      autoDeleteInterval: a.auto_delete_minutes,
      public: a.public,
      volumes: a.volumes?.map((v) => ({
        volumeId: v.volume,
        mountPath: v.mount_path,
        ...(v.subpath ? { subpath: v.subpath } : {}),
      })),
    });
    const out = sandboxOut(s);
    return { data: { sandbox: out }, text: `Created sandbox ${sandboxLine(out)}` };
  },
});

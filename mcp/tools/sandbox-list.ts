import { z } from 'zod';
import { SANDBOX_STATES, type SandboxState } from '../../orchestrator/index.js';
import { defineTool } from '../tool.js';
import { SandboxOut, sandboxLine, sandboxOut } from './shapes.js';

export default defineTool({
  name: 'sandbox_list',
  group: 'core',
  title: 'List sandboxes',
  description:
    'Lists the sandboxes of this API key\u2019s organization, newest first, optionally filtered by labels or state.',
  input: z.object({
    labels: z.record(z.string(), z.string()).optional().describe('only sandboxes with all of these labels'),
    state: z
      .enum(SANDBOX_STATES as unknown as [SandboxState, ...SandboxState[]])
      .optional()
      .describe('only sandboxes in this state'),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().optional().describe('next_cursor of a previous call'),
  }),
  output: z.object({ sandboxes: z.array(SandboxOut), next_cursor: z.string().nullable(), total: z.number() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const page = await orch.sandboxes.list(
      principal,
      { labels: a.labels, states: a.state ? [a.state] : undefined },
      { cursor: a.cursor, limit: a.limit, sort: 'createdAt', order: 'desc' },
    );
    const sandboxes = page.items.map(sandboxOut);
    const text = sandboxes.length
      ? `${page.total} sandbox(es):\n${sandboxes.map((s) => `- ${sandboxLine(s)}`).join('\n')}${page.nextCursor ? `\n(more: cursor ${page.nextCursor})` : ''}`
      : 'No sandboxes. Create one with sandbox_create.';
    return { data: { sandboxes, next_cursor: page.nextCursor, total: page.total }, text };
  },
});

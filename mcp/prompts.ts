// Prompts a client can offer its user, with completions for their sandbox and
// path arguments: start working in a sandbox, or look at one file there.
import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { Orchestrator, Principal } from '../orchestrator/index.js';
import { protocolError } from './result.js';
import { completePath, completeSandbox } from './resources/complete.js';
import { fileUri } from './resources/uri.js';
import { sandboxLine, sandboxOut } from './tools/shapes.js';

export function registerPrompts(mcp: McpServer, d: { orch: Orchestrator; principal: () => Principal }): void {
  const sandboxArg = () =>
    completable(z.string().describe('sandbox id or name'), (value) => completeSandbox(d, value ?? ''));

  mcp.registerPrompt(
    'sandbox_workspace',
    {
      title: 'Work in a sandbox',
      description:
        'Sets the scene for working in an existing sandbox: what it is and how to use the Berth tools on it.',
      argsSchema: { sandbox_id: sandboxArg() },
    },
    async ({ sandbox_id }) => {
      const s = await d.orch.sandboxes.get(d.principal(), sandbox_id).catch((e) => {
        throw protocolError(e);
      });
      const out = sandboxOut(s);
      return {
        description: `Working in sandbox ${s.name}`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                `You are working in the Berth sandbox ${sandboxLine(out)}.\n` +
                `Use sandbox_id "${s.id}" with every tool. Run commands with exec (long-running ones with exec_start), ` +
                'read files with fs_read (line ranges for large files), change them with fs_edit (exact replacements) or fs_write, ' +
                `and find files with fs_list and fs_search.${out.state !== 'started' ? ' The sandbox is not started: call sandbox_start first.' : ''}`,
            },
          },
        ],
      };
    },
  );

  mcp.registerPrompt(
    'review_file',
    {
      title: 'Review a file',
      description: 'Embeds a file from a sandbox and asks for a review of it.',
      argsSchema: {
        sandbox_id: sandboxArg(),
        path: completable(z.string().describe('absolute path of the file'), (value, ctx) =>
          completePath(d, ctx?.arguments?.sandbox_id, value ?? '', true),
        ),
      },
    },
    async ({ sandbox_id, path }) => {
      const p = d.principal();
      const r = await d.orch.toolbox.edit.read(p, sandbox_id, path, { maxBytes: 256 * 1024 }).catch((e) => {
        throw protocolError(e);
      });
      const uri = fileUri(sandbox_id, r.path.startsWith('/') ? r.path : `/${r.path}`);
      return {
        description: `Review of ${path}`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'resource',
              resource:
                r.encoding === 'base64'
                  ? { uri, mimeType: r.mimeType, blob: r.content }
                  : { uri, mimeType: r.mimeType, text: r.content },
            },
          },
          {
            role: 'user',
            content: {
              type: 'text',
              text: `Review ${path} above: point out bugs, risks and unclear code, most important first, and suggest concrete fixes.${r.truncated ? ' (The file was cut; read the rest with fs_read.)' : ''}`,
            },
          },
        ],
      };
    },
  );
}

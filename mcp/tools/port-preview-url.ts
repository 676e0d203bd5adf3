import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'port_preview_url',
  group: 'core',
  title: 'Preview URL of a port',
  description:
    'Returns the URL where a port inside the sandbox (a web server started with exec_start) is reachable, and the token a private sandbox needs (send it as the x-daytona-preview-token header). With signed, returns a URL that carries its own token and expires.',
  input: z.object({
    sandbox_id: sandboxId,
    port: z.number().int().min(1).max(65_535),
    signed: z.boolean().default(false).describe('a self-authenticating URL instead of URL + token'),
    expires_in_seconds: z.number().int().min(1).max(86_400).default(3600).describe('lifetime of a signed URL'),
  }),
  output: z.object({
    sandbox_id: z.string(),
    port: z.number(),
    url: z.string(),
    token: z.string(),
    signed: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    if (a.signed) {
      const s = await orch.preview.signedPreviewUrl(principal, a.sandbox_id, a.port, a.expires_in_seconds);
      return {
        data: { sandbox_id: s.sandboxId, port: s.port, url: s.url, token: s.token, signed: true },
        text: `Port ${a.port}: ${s.url} (signed, valid ${a.expires_in_seconds} s)`,
      };
    }
    const l = await orch.preview.previewLink(principal, a.sandbox_id, a.port);
    return {
      data: { sandbox_id: l.sandboxId, port: a.port, url: l.url, token: l.token, signed: false },
      text: `Port ${a.port}: ${l.url}\nToken (header x-daytona-preview-token, needed unless the sandbox is public): ${l.token}`,
    };
  },
});

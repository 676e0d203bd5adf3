import { z } from 'zod';
import { defineTool } from '../tool.js';
import { filePath, sandboxId } from './shapes.js';

const IMAGE = /^image\/(png|jpeg|gif|webp)$/;

export default defineTool({
  name: 'fs_read',
  group: 'core',
  title: 'Read a file',
  description:
    'Reads a file from a sandbox. Text comes back as UTF-8, optionally only a line range (1-based, inclusive); binary files come back base64 (images also as image content). Large files are cut at max_bytes and flagged truncated.',
  input: z.object({
    sandbox_id: sandboxId,
    path: filePath,
    start_line: z.number().int().min(1).optional().describe('first line to return (1-based)'),
    end_line: z.number().int().min(1).optional().describe('last line to return (inclusive)'),
    max_bytes: z
      .number()
      .int()
      .min(1)
      .max(16 << 20)
      .optional()
      .describe('most bytes to return (default 256 KiB)'),
    encoding: z.enum(['auto', 'utf-8', 'base64']).default('auto').describe('auto detects binary files'),
  }),
  output: z.object({
    path: z.string(),
    size: z.number(),
    encoding: z.enum(['utf-8', 'base64']),
    mime_type: z.string(),
    content: z.string(),
    start_line: z.number().optional(),
    end_line: z.number().optional(),
    truncated: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const r = await orch.toolbox.edit.read(principal, a.sandbox_id, a.path, {
      startLine: a.start_line,
      endLine: a.end_line,
      maxBytes: a.max_bytes,
      encoding: a.encoding,
    });
    const data = {
      path: r.path,
      size: r.size,
      encoding: r.encoding,
      mime_type: r.mimeType,
      content: r.content,
      start_line: r.startLine,
      end_line: r.endLine,
      truncated: r.truncated,
    };
    if (r.encoding === 'base64') {
      const image = IMAGE.test(r.mimeType) && !r.truncated;
      return {
        data,
        text: `${r.path}: binary (${r.mimeType}, ${r.size} bytes)${r.truncated ? `, first ${a.max_bytes ?? 262144} bytes` : ''}; base64 content in structuredContent.content`,
        content: image ? [{ type: 'image', data: r.content, mimeType: r.mimeType }] : [],
      };
    }
    const range = a.start_line !== undefined || a.end_line !== undefined ? ` lines ${r.startLine}-${r.endLine}` : '';
    return {
      data,
      text: `${r.path}${range}${r.truncated ? ' (truncated; read further with start_line)' : ''}:\n${r.content}`,
    };
  },
});

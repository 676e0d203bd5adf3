import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

const MAX_MATCHES = 1000;

export default defineTool({
  name: 'fs_search',
  group: 'core',
  title: 'Search files',
  description:
    'Finds files under a folder by name glob (e.g. "*.py", "src/**/*.ts") and/or lines whose content matches a regular expression (extended syntax, like grep -E; literal: true matches the text as is). With both, only lines in files whose names match are returned. Binary files are skipped.',
  input: z.object({
    sandbox_id: sandboxId,
    path: z.string().min(1).default('.').describe('folder to search under'),
    name_glob: z.string().min(1).optional().describe('file name glob; a glob with "/" matches the relative path'),
    content: z.string().min(1).optional().describe('regular expression the lines must match'),
    literal: z.boolean().default(false).describe('match content as plain text instead of a regular expression'),
    ignore_case: z.boolean().default(false).describe('case-insensitive regular expression'),
    max_results: z.number().int().min(1).max(MAX_MATCHES).default(200),
  }),
  output: z.object({
    files: z.array(z.string()).describe('matching file paths (name search)'),
    matches: z
      .array(z.object({ file: z.string(), line: z.number(), content: z.string() }))
      .describe('matching lines (content search)'),
    truncated: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    if (!a.name_glob && !a.content)
      throw new AppError('invalid_argument', 'give name_glob, content or both', {
        hint: 'e.g. {"name_glob": "*.py"} or {"content": "TODO"}',
      });
    const fs = orch.toolbox.fileSearch;
    const files = a.name_glob ? (await fs.search(principal, a.sandbox_id, a.path, a.name_glob)).files : [];
    let more = false;
    let matches: { file: string; line: number; content: string }[] = [];
    if (a.content && a.literal) matches = await fs.find(principal, a.sandbox_id, a.path, a.content);
    else if (a.content)
      ({ matches, truncated: more } = await orch.toolbox.grep.grep(principal, a.sandbox_id, a.path, a.content, {
        ignoreCase: a.ignore_case,
        limit: MAX_MATCHES * 10,
      }));
    if (a.name_glob && a.content) {
      const named = new Set(files);
      matches = matches.filter((m) => named.has(m.file));
    }
    const truncated = more || files.length > a.max_results || matches.length > a.max_results;
    const outFiles = a.content ? [] : files.slice(0, a.max_results);
    const outMatches = matches.slice(0, a.max_results).map((m) => ({ file: m.file, line: m.line, content: m.content }));
    const text = a.content
      ? outMatches.length
        ? outMatches.map((m) => `${m.file}:${m.line}: ${m.content}`).join('\n')
        : 'No matching lines.'
      : outFiles.length
        ? outFiles.join('\n')
        : 'No matching files.';
    return {
      data: { files: outFiles, matches: outMatches, truncated },
      text: text + (truncated ? `\n(more than ${a.max_results} results; narrow the search)` : ''),
    };
  },
});

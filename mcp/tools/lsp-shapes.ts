// Language-server tools address a server by language and project folder, and
// positions as 1-based line and column (what people and diffs show); the
// wire uses LSP's 0-based positions.
import { z } from 'zod';
import type { LspLocation, LspRange } from '../../common/wire/lsp.js';

export const language = z.enum(['python', 'typescript', 'javascript']);
export const project = z.string().min(1).describe('project folder the server works on');
export const server = { language, project_path: project };
export const position = {
  line: z.number().int().min(1).describe('1-based line'),
  column: z.number().int().min(1).describe('1-based column'),
};

export const fileUri = (path: string) => (path.startsWith('file://') ? path : `file://${path}`);
export const toWire = (line: number, column: number) => ({ line: line - 1, character: column - 1 });

export const RangeOut = z.object({
  start_line: z.number(),
  start_column: z.number(),
  end_line: z.number(),
  end_column: z.number(),
});
export const rangeOut = (r: LspRange) => ({
  start_line: r.start.line + 1,
  start_column: r.start.character + 1,
  end_line: r.end.line + 1,
  end_column: r.end.character + 1,
});
export const LocationOut = z.object({ path: z.string(), range: RangeOut });
export const locationOut = (l: LspLocation) => ({ path: l.uri.replace(/^file:\/\//, ''), range: rangeOut(l.range) });
export const where = (l: { path: string; range: { start_line: number; start_column: number } }) =>
  `${l.path}:${l.range.start_line}:${l.range.start_column}`;

// Language-server contract (compat spec §4.9) plus Berth's additions
// (diagnostics, hover, definition) used by MCP.
import { z } from 'zod';

export const LSP_LANGUAGES = ['python', 'typescript', 'javascript'] as const;
export type LspLanguage = (typeof LSP_LANGUAGES)[number];

const languageId = z.enum(LSP_LANGUAGES, { message: `languageId must be one of ${LSP_LANGUAGES.join(', ')}` });

export const LspServerRequest = z.object({
  languageId,
  pathToProject: z.string().min(1, 'pathToProject is empty'),
});
export type LspServerRequest = z.infer<typeof LspServerRequest>;

export const LspDocumentRequest = LspServerRequest.extend({
  /** `file://` + path, exactly as the SDK builds it; relative paths resolve against the workdir. */
  uri: z.string().min(1, 'uri is empty'),
});
export type LspDocumentRequest = z.infer<typeof LspDocumentRequest>;

export const LspPosition = z.object({ line: z.number().int().min(0), character: z.number().int().min(0) });
export type LspPosition = z.infer<typeof LspPosition>;

export const LspPositionRequest = LspDocumentRequest.extend({ position: LspPosition });
export type LspPositionRequest = z.infer<typeof LspPositionRequest>;

export const LspCompletionRequest = LspPositionRequest.extend({
  context: z.object({ triggerKind: z.number().int(), triggerCharacter: z.string().optional() }).optional(),
});
export type LspCompletionRequest = z.infer<typeof LspCompletionRequest>;

export const LspWorkspaceSymbolsRequest = LspServerRequest.extend({ query: z.string() });
export type LspWorkspaceSymbolsRequest = z.infer<typeof LspWorkspaceSymbolsRequest>;

export const LspDiagnosticsRequest = LspDocumentRequest.extend({
  /** How long to wait for the server to publish diagnostics, in ms. */
  waitMs: z.number().int().min(0).max(60_000).optional(),
});
export type LspDiagnosticsRequest = z.infer<typeof LspDiagnosticsRequest>;

export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

export interface LspLocation {
  uri: string;
  range: LspRange;
}

export interface LspSymbol {
  name: string;
  kind: number;
  location: LspLocation;
  containerName?: string;
}

export interface LspCompletionItem {
  label: string;
  kind?: number;
  detail?: string;
  documentation?: unknown;
  sortText?: string;
  filterText?: string;
  insertText?: string;
}

export interface LspCompletionList {
  isIncomplete: boolean;
  items: LspCompletionItem[];
}

export interface LspDiagnostic {
  range: LspRange;
  /** 1 error, 2 warning, 3 information, 4 hint. */
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
}

export interface LspHover {
  /** Markdown (or plain text) as the server gave it. */
  contents: string;
  range?: LspRange;
}

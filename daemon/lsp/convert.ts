// Turns what language servers answer (several shapes are legal in LSP) into
// the flat shapes of the toolbox API (compat spec §4.9), and maps the SDK's
// `"file://" + path` URIs to real paths.
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../common/errors.js';
import type {
  LspCompletionItem,
  LspCompletionList,
  LspDiagnostic,
  LspHover,
  LspLocation,
  LspRange,
  LspSymbol,
} from '../../common/wire/lsp.js';
import { resolvePath, type PathContext } from '../paths.js';

const ZERO: LspRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * The file a client URI names. The SDK sends `"file://" + path` unencoded, so
 * a relative path arrives as `file://dir/a.py`; it resolves against the
 * workdir. A properly percent-encoded URI is understood too.
 */
export function uriToPath(paths: PathContext, uri: string): string {
  if (!uri.startsWith('file://'))
    throw new AppError('invalid_argument', `unsupported document URI ${uri}`, {
      reason: 'INVALID_FILE_PATH',
      hint: 'send file://<path>',
    });
  const raw = uri.slice('file://'.length);
  const literal = resolvePath(paths, raw, 'uri');
  if (existsSync(literal) || !/%[0-9A-Fa-f]{2}/.test(raw)) return literal;
  try {
    const decoded = resolvePath(paths, decodeURIComponent(raw), 'uri');
    return existsSync(decoded) ? decoded : literal;
  } catch {
    return literal;
  }
}

export const pathToUri = (path: string): string => pathToFileURL(path).href;

/** LSP language id of a document, from its extension. */
export function documentLanguage(path: string, fallback: string): string {
  switch (extname(path).toLowerCase()) {
    case '.py':
    case '.pyi':
      return 'python';
    case '.ts':
    case '.mts':
    case '.cts':
      return 'typescript';
    case '.tsx':
      return 'typescriptreact';
    case '.js':
    case '.mjs':
    case '.cjs':
      return 'javascript';
    case '.jsx':
      return 'javascriptreact';
    default:
      return fallback;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a language server's JSON, read field by field with checks
type Obj = Record<string, any>;

function range(r: unknown): LspRange {
  const o = r as Obj | undefined;
  if (!o?.start || !o?.end) return ZERO;
  return {
    start: { line: o.start.line ?? 0, character: o.start.character ?? 0 },
    end: { line: o.end.line ?? 0, character: o.end.character ?? 0 },
  };
}

/** textDocument/documentSymbol: SymbolInformation[] or a DocumentSymbol tree, flattened. */
export function documentSymbols(result: unknown, documentUri: string): LspSymbol[] {
  const out: LspSymbol[] = [];
  const walk = (items: Obj[], container?: string) => {
    for (const s of items) {
      if (s.location) {
        out.push({
          name: s.name,
          kind: s.kind,
          location: { uri: s.location.uri, range: range(s.location.range) },
          ...(s.containerName ? { containerName: s.containerName } : {}),
        });
      } else {
        out.push({
          name: s.name,
          kind: s.kind,
          location: { uri: documentUri, range: range(s.range) },
          ...(container ? { containerName: container } : {}),
        });
        if (Array.isArray(s.children)) walk(s.children, s.name);
      }
    }
  };
  if (Array.isArray(result)) walk(result as Obj[]);
  return out;
}

/** workspace/symbol: SymbolInformation[] or WorkspaceSymbol[] (whose location may lack a range). */
export function workspaceSymbols(result: unknown): LspSymbol[] {
  if (!Array.isArray(result)) return [];
  return (result as Obj[]).map((s) => ({
    name: s.name,
    kind: s.kind,
    location: { uri: s.location?.uri ?? '', range: range(s.location?.range) },
    ...(s.containerName ? { containerName: s.containerName } : {}),
  }));
}

/** textDocument/completion: CompletionItem[] or CompletionList, trimmed to the documented fields. */
export function completions(result: unknown): LspCompletionList {
  const list = Array.isArray(result)
    ? { isIncomplete: false, items: result }
    : ((result as Obj | null) ?? { isIncomplete: false, items: [] });
  const items: LspCompletionItem[] = ((list.items ?? []) as Obj[]).map((i) => {
    const item: LspCompletionItem = { label: typeof i.label === 'string' ? i.label : String(i.label?.label ?? '') };
    if (i.kind !== undefined) item.kind = i.kind;
    if (i.detail !== undefined) item.detail = i.detail;
    if (i.documentation !== undefined) item.documentation = i.documentation;
    if (i.sortText !== undefined) item.sortText = i.sortText;
    if (i.filterText !== undefined) item.filterText = i.filterText;
    const insert = i.insertText ?? i.textEdit?.newText;
    if (insert !== undefined) item.insertText = insert;
    return item;
  });
  return { isIncomplete: !!list.isIncomplete, items };
}

function markedString(m: unknown): string {
  if (typeof m === 'string') return m;
  const o = m as Obj | null;
  if (!o) return '';
  if (typeof o.kind === 'string') return String(o.value ?? '');
  if (typeof o.language === 'string') return '```' + o.language + '\n' + String(o.value ?? '') + '\n```';
  return String(o.value ?? '');
}

/** textDocument/hover: MarkupContent, MarkedString or MarkedString[], as one markdown string. */
export function hover(result: unknown): LspHover | null {
  const o = result as Obj | null;
  if (!o?.contents) return null;
  const contents = Array.isArray(o.contents)
    ? o.contents.map(markedString).filter(Boolean).join('\n\n')
    : markedString(o.contents);
  if (!contents.trim()) return null;
  return { contents, ...(o.range ? { range: range(o.range) } : {}) };
}

/** textDocument/definition: Location, Location[] or LocationLink[]. */
export function locations(result: unknown): LspLocation[] {
  if (!result) return [];
  const list = (Array.isArray(result) ? result : [result]) as Obj[];
  return list.map((l) =>
    l.targetUri
      ? { uri: l.targetUri, range: range(l.targetSelectionRange ?? l.targetRange) }
      : { uri: l.uri, range: range(l.range) },
  );
}

export function diagnostics(list: unknown): LspDiagnostic[] {
  if (!Array.isArray(list)) return [];
  return (list as Obj[]).map((d) => ({
    range: range(d.range),
    ...(d.severity !== undefined ? { severity: d.severity } : {}),
    ...(d.code !== undefined ? { code: d.code } : {}),
    ...(d.source !== undefined ? { source: d.source } : {}),
    message: String(d.message ?? ''),
  }));
}

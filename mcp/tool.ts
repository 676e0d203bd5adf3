// What one MCP tool is: a name in a group, zod input and output schemas,
// annotations, and a handler that calls the orchestrator facade. Tools hold no
// logic of their own beyond shaping arguments and results.
import type { z } from 'zod';
import type { ContentBlock, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../common/clock.js';
import type { Orchestrator, Principal } from '../orchestrator/index.js';

export const TOOL_GROUPS = ['core', 'git', 'lsp', 'terminal', 'images', 'volumes', 'telemetry'] as const;
export type ToolGroup = (typeof TOOL_GROUPS)[number];

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

/** Everything a tool handler may use. One per call. */
export interface ToolContext {
  orch: Orchestrator;
  principal: Principal;
  /** The server's clock (default time ranges). */
  clock: Clock;
  /** Aborted when the client cancels the call (or the session ends). */
  signal: AbortSignal;
  /** Sends notifications/progress when the client asked for them; otherwise a no-op. */
  progress(p: { progress: number; total?: number; message?: string }): Promise<void>;
  /** Sends notifications/message, filtered by the session's logging/setLevel. */
  log(level: LogLevel, data: unknown): Promise<void>;
}

/** A successful tool answer: structured data (matching the output schema), readable text, extra content blocks. */
export interface ToolAnswer<T> {
  data: T;
  text: string;
  content?: ContentBlock[];
}

export interface ToolDef<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  group: ToolGroup;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: Omit<ToolAnnotations, 'title'>;
  run(ctx: ToolContext, args: z.output<I>): Promise<ToolAnswer<z.input<O>>>;
}

/** Keeps the generic types of one tool while collecting many in a list. */
export const defineTool = <I extends z.ZodObject, O extends z.ZodObject>(def: ToolDef<I, O>): ToolDef =>
  def as unknown as ToolDef;

/** Parses `core,git` / `all` into groups; unknown names are reported. */
export function parseGroups(spec: string): { groups: ToolGroup[]; unknown: string[] } {
  const names = spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.includes('all')) return { groups: [...TOOL_GROUPS], unknown: [] };
  const groups = names.filter((n): n is ToolGroup => (TOOL_GROUPS as readonly string[]).includes(n));
  return {
    groups: groups.length ? [...new Set(groups)] : ['core'],
    unknown: names.filter((n) => n !== 'all' && !(TOOL_GROUPS as readonly string[]).includes(n)),
  };
}

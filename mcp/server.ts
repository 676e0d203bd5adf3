// One MCP server per session, built on the SDK's McpServer (resources,
// prompts, completions) with our own tools/list and tools/call handlers: the
// SDK's would turn unknown tools and bad arguments into tool results, while
// the protocol wants those as JSON-RPC errors and only tool failures as
// `isError` results (mcp/result.ts).
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  SetLevelRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import { BERTH_VERSION } from '../common/version.js';
import type { Orchestrator, Principal } from '../orchestrator/index.js';
import { RpcError, toolError, toolSuccess } from './result.js';
import type { LogLevel, ToolContext, ToolDef } from './tool.js';
import { registerResources, type Subscriptions } from './resources/index.js';
import { registerPrompts } from './prompts.js';

/** A tool given as raw JSON Schema with a handler returning a whole result (conformance fixtures). */
export interface RawTool {
  name: string;
  description: string;
  inputSchema: Tool['inputSchema'];
  run(args: Record<string, unknown>, extra: ToolExtra, server: McpServer): Promise<CallToolResult>;
}

type ToolExtra = Parameters<Parameters<McpServer['server']['setRequestHandler']>[1]>[1];

export interface SessionServerDeps {
  orch: Orchestrator;
  clock: Clock;
  log: Logger;
  tools: ToolDef[];
  /** Where tools/list entries are kept between sessions. */
  listing: ToolListing;
  rawTools?: RawTool[];
  /** Registers extra resources and prompts instead of Berth's (fixture mode). */
  extras?: (server: McpServer) => void;
  /** The caller, re-checked on every HTTP request of the session. */
  principal: () => Principal;
}

export interface SessionServer {
  mcp: McpServer;
  subscriptions: Subscriptions;
}

const LEVELS: LogLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

const INSTRUCTIONS =
  'Berth runs hardened Docker sandboxes. Create one with sandbox_create (or reuse one from sandbox_list), then run commands with exec, ' +
  'and read or change files with fs_read, fs_write and fs_edit. Every tool takes the sandbox id or name. A failing tool answers with an error ' +
  'and a hint that says how to fix the call. Resources: sandbox://{id} (info) and sandbox://{id}/files/{path} (file content).';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Tool['inputSchema'] {
  const s = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s as Tool['inputSchema'];
}

/** A tool as tools/list shows it. Converting schemas costs a little, so owners keep the result (see ToolListing). */
export function listedTool(t: ToolDef): Tool {
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: jsonSchema(t.input, 'input'),
    outputSchema: jsonSchema(t.output, 'output') as Tool['outputSchema'],
    annotations: { title: t.title, ...t.annotations },
  };
}

/** Listings of tools, computed once per tool by whoever owns this object (one per MCP endpoint). */
export class ToolListing {
  private readonly cache = new Map<ToolDef, Tool>();
  get(t: ToolDef): Tool {
    let l = this.cache.get(t);
    if (!l) this.cache.set(t, (l = listedTool(t)));
    return l;
  }
}

export function createSessionServer(d: SessionServerDeps): SessionServer {
  const mcp = new McpServer(
    { name: 'berth', title: 'Berth sandboxes', version: BERTH_VERSION },
    { capabilities: { logging: {}, completions: {} }, instructions: d.rawTools ? undefined : INSTRUCTIONS },
  );
  const server = mcp.server;
  let level: LogLevel | undefined;
  const byName = new Map<string, ToolDef>(d.tools.map((t) => [t.name, t]));
  const raw = new Map<string, RawTool>((d.rawTools ?? []).map((t) => [t.name, t]));

  server.registerCapabilities({ tools: { listChanged: false } });
  server.setRequestHandler(SetLevelRequestSchema, async (req) => {
    level = req.params.level;
    return {};
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      ...d.tools.map((t) => d.listing.get(t)),
      ...[...raw.values()].map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const name = req.params.name;
    const rawTool = raw.get(name);
    if (rawTool) return rawTool.run(req.params.arguments ?? {}, extra, mcp);
    const tool = byName.get(name);
    if (!tool)
      throw new RpcError(ErrorCode.InvalidParams, `unknown tool: ${name}`, {
        hint: 'call tools/list for the tools this session offers (more groups with /mcp?tools=all)',
      });
    const parsed = tool.input.safeParse(req.params.arguments ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`);
      throw new RpcError(ErrorCode.InvalidParams, `invalid arguments for ${name}: ${problems.join('; ')}`, {
        problems,
      });
    }
    const token = extra._meta?.progressToken;
    const ctx: ToolContext = {
      orch: d.orch,
      principal: d.principal(),
      clock: d.clock,
      signal: extra.signal,
      progress: async (p) => {
        if (token === undefined || extra.signal.aborted) return;
        await extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken: token, ...p } })
          .catch(() => {});
      },
      log: async (lvl, data) => {
        if (level && LEVELS.indexOf(lvl) < LEVELS.indexOf(level)) return;
        await extra
          .sendNotification({ method: 'notifications/message', params: { level: lvl, logger: 'berth', data } })
          .catch(() => {});
      },
    };
    try {
      const answer = await tool.run(ctx, parsed.data);
      const checked = tool.output.safeParse(answer.data);
      if (!checked.success) {
        d.log.error('tool answer does not match its output schema', {
          tool: name,
          issues: checked.error.issues
            .slice(0, 5)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; '),
        });
        return toolError(new Error(`${name} produced an invalid answer`));
      }
      return toolSuccess(answer);
    } catch (e) {
      if ((e as { code?: string }).code === 'internal' || !(e as { code?: string }).code)
        d.log.warn('tool failed', { tool: name, error: (e as Error)?.stack ?? String(e) });
      return toolError(e);
    }
  });

  const subscriptions = d.extras
    ? noSubscriptions()
    : registerResources(mcp, { orch: d.orch, principal: d.principal, log: d.log });
  if (d.extras) d.extras(mcp);
  else registerPrompts(mcp, { orch: d.orch, principal: d.principal });
  return { mcp, subscriptions };
}

function noSubscriptions(): Subscriptions {
  return { closeAll: () => {} };
}

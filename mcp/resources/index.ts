// Resources (sandbox info, files, process output), their completions, and
// subscriptions. Reads call the facade like tools do; failures are protocol
// errors (mcp/result.ts protocolError) because resources have no error result.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../common/log.js';
import { SANDBOX_EVENTS, type Orchestrator, type Principal, type SandboxEvent } from '../../orchestrator/index.js';
import { RpcError, protocolError } from '../result.js';
import { sandboxLine, sandboxOut } from '../tools/shapes.js';
import { completePath, completeSandbox } from './complete.js';
import { readFile } from './files.js';
import { FILE_URI, PROCESS_OUTPUT_URI, SANDBOX_URI, parseUri, sandboxUri } from './uri.js';
import { parseProcessId } from '../tools/process-shapes.js';

export interface ResourceDeps {
  orch: Orchestrator;
  principal: () => Principal;
  log: Logger;
}

export interface Subscriptions {
  closeAll(): void;
}

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

export function registerResources(mcp: McpServer, d: ResourceDeps): Subscriptions {
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw protocolError(e);
    }
  };

  mcp.registerResource(
    'sandbox',
    new ResourceTemplate(SANDBOX_URI, {
      list: async () =>
        guard(async () => {
          const page = await d.orch.sandboxes.list(d.principal(), {}, { limit: 200, sort: 'createdAt', order: 'desc' });
          return {
            resources: page.items.map((s) => ({
              uri: sandboxUri(s.id),
              name: s.name,
              title: `Sandbox ${s.name}`,
              description: sandboxLine(sandboxOut(s)),
              mimeType: 'application/json',
            })),
          };
        }),
      complete: { id: (value) => completeSandbox(d, value) },
    }),
    {
      title: 'Sandbox',
      description: 'A sandbox of this organization: state, image, resources, labels (JSON).',
      mimeType: 'application/json',
    },
    async (uri, vars) =>
      guard(async () => {
        const s = sandboxOut(await d.orch.sandboxes.get(d.principal(), decodeURIComponent(str(vars.id))));
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(s, null, 2) }] };
      }),
  );

  mcp.registerResource(
    'sandbox-file',
    new ResourceTemplate(FILE_URI, {
      list: undefined,
      complete: {
        id: (value) => completeSandbox(d, value),
        path: (value, ctx) => completePath(d, ctx?.arguments?.id, value),
      },
    }),
    {
      title: 'Sandbox file',
      description: 'A file in a sandbox (absolute path without the leading /); a folder reads as a JSON listing.',
    },
    async (uri) =>
      guard(async () => {
        const parsed = parseUri(uri.href);
        if (parsed?.kind !== 'file') throw new RpcError(ErrorCode.InvalidParams, `not a file URI: ${uri.href}`);
        return readFile(d, uri.href, parsed.id, parsed.path);
      }),
  );

  mcp.registerResource(
    'process-output',
    new ResourceTemplate(PROCESS_OUTPUT_URI, {
      list: undefined,
      complete: { id: (value) => completeSandbox(d, value) },
    }),
    {
      title: 'Process output',
      description: 'Output so far of a background process (exec_start); subscribe to hear when it grows.',
      mimeType: 'text/plain',
    },
    async (uri) =>
      guard(async () => {
        const parsed = parseUri(uri.href);
        if (parsed?.kind !== 'process')
          throw new RpcError(ErrorCode.InvalidParams, `not a process output URI: ${uri.href}`);
        const { sessionId, cmdId } = parseProcessId(parsed.pid);
        const o = await d.orch.toolbox.sessions.output(d.principal(), parsed.id, sessionId, cmdId, {
          maxBytes: 4 << 20,
        });
        return {
          contents: [
            {
              uri: uri.href,
              mimeType: 'text/plain',
              text: o.output,
              _meta: {
                'berth/running': o.running,
                'berth/exitCode': o.exitCode ?? null,
                'berth/nextOffset': o.nextOffset,
              },
            },
          ],
        };
      }),
  );

  return registerSubscriptions(mcp, d);
}

/** Long-polls a process's output and calls `onGrow` when there is more; stops when the process ends. */
function followProcess(d: ResourceDeps, p: Principal, sandboxId: string, pid: string, onGrow: () => void): () => void {
  const { sessionId, cmdId } = parseProcessId(pid);
  let stopped = false;
  void (async () => {
    let offset: number | undefined;
    while (!stopped) {
      try {
        const o = await d.orch.toolbox.sessions.output(p, sandboxId, sessionId, cmdId, {
          offset,
          waitMs: offset === undefined ? 0 : 25_000,
        });
        const grew = offset !== undefined && (o.nextOffset > offset || !o.running);
        if (grew && !stopped) onGrow();
        offset = o.nextOffset;
        if (!o.running) return;
      } catch {
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
  })();
  return () => {
    stopped = true;
  };
}

function registerSubscriptions(mcp: McpServer, d: ResourceDeps): Subscriptions {
  const active = new Map<string, () => void>();
  const notify = (uri: string) => void mcp.server.sendResourceUpdated({ uri }).catch(() => {});
  mcp.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });

  mcp.server.setRequestHandler(SubscribeRequestSchema, async (req) => {
    const uri = req.params.uri;
    if (active.has(uri)) return {};
    const parsed = parseUri(uri);
    if (!parsed)
      throw new RpcError(ErrorCode.InvalidParams, `cannot subscribe to ${uri}`, {
        hint: 'subscribe to sandbox://{id}, sandbox://{id}/files/{path} or sandbox://{id}/processes/{pid}/output',
      });
    const p = d.principal();
    const s = await d.orch.sandboxes.get(p, parsed.id).catch((e) => {
      throw protocolError(e);
    });
    if (parsed.kind === 'sandbox') {
      const offs = [SANDBOX_EVENTS.stateUpdated, SANDBOX_EVENTS.updated, SANDBOX_EVENTS.desiredStateUpdated].map(
        (topic) =>
          d.orch.subscribe(topic, (ev) => {
            const e = ev as SandboxEvent;
            if (e?.sandbox?.id === s.id && e.organizationId === p.organizationId) notify(uri);
          }),
      );
      active.set(uri, () => offs.forEach((off) => off()));
    } else if (parsed.kind === 'process') {
      active.set(
        uri,
        followProcess(d, p, s.id, parsed.pid, () => notify(uri)),
      );
    } else {
      active.set(
        uri,
        d.orch.toolbox.watch.watch(p, s.id, parsed.path, () => notify(uri)),
      );
    }
    return {};
  });

  mcp.server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
    active.get(req.params.uri)?.();
    active.delete(req.params.uri);
    return {};
  });

  return {
    closeAll: () => {
      for (const stop of active.values()) stop();
      active.clear();
    },
  };
}

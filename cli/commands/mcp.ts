// `berth mcp`: MCP over stdin/stdout for desktop agents that launch a command,
// against the Berth server given by --api-url / BERTH_API_URL (or the CLI
// config). It bridges a stdio server transport to the server's /mcp with the
// SDK's Streamable HTTP client transport, message for message, so both
// transports expose exactly the same tools, resources and behaviour
// (progress, cancellation, resumption). Only protocol goes to stdout;
// diagnostics go to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { resolveSettings } from '../client.js';

export interface BridgeOptions {
  /** The server's /mcp URL (with ?tools=… if wanted). */
  url: URL;
  apiKey?: string;
  /** The organization to act in (X-Daytona-Organization-ID); default: the key's own. */
  organizationId?: string;
  /** Diagnostics (stderr). */
  warn: (message: string) => void;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

/** Runs until stdin closes; resolves after the HTTP session is ended. */
export async function runStdioBridge(o: BridgeOptions): Promise<void> {
  const stdio = new StdioServerTransport(o.stdin as never, o.stdout as never);
  const http = new StreamableHTTPClientTransport(o.url, {
    requestInit: {
      headers: {
        ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
        ...(o.organizationId ? { 'x-daytona-organization-id': o.organizationId } : {}),
        'user-agent': 'berth-mcp-stdio',
      },
    },
    reconnectionOptions: {
      initialReconnectionDelay: 500,
      maxReconnectionDelay: 10_000,
      reconnectionDelayGrowFactor: 1.5,
      maxRetries: 5,
    },
  });
  let initId: RequestId | undefined;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));

  const fail = (m: JSONRPCMessage, e: unknown) => {
    const status = e instanceof StreamableHTTPError ? e.code : undefined;
    const text = (e as Error)?.message ?? String(e);
    o.warn(`berth mcp: ${text}`);
    if (!isJSONRPCRequest(m)) return;
    const hint =
      status === 401
        ? ' — set BERTH_API_KEY (or run `berth login`) with a valid key'
        : status === 404
          ? ' — the session expired; restart the MCP client'
          : '';
    void stdio
      .send({ jsonrpc: '2.0', id: m.id, error: { code: -32000, message: `Berth server: ${text}${hint}` } })
      .catch(() => {});
  };

  stdio.onmessage = (m) => {
    if (isInitializeRequest(m) && isJSONRPCRequest(m)) initId = m.id;
    http.send(m).catch((e) => fail(m, e));
  };
  http.onmessage = (m) => {
    // The HTTP transport must send the negotiated version on every later request.
    if (initId !== undefined && isJSONRPCResultResponse(m) && m.id === initId) {
      const v = (m.result as { protocolVersion?: string }).protocolVersion;
      if (v) http.setProtocolVersion(v);
    }
    void stdio.send(m).catch(() => {});
  };
  http.onerror = (e) => o.warn(`berth mcp: ${e.message}`);
  stdio.onerror = (e) => o.warn(`berth mcp: ${e.message}`);
  stdio.onclose = () => {
    void (async () => {
      if (http.sessionId) await http.terminateSession().catch(() => {});
      await http.close().catch(() => {});
      done();
    })();
  };
  await http.start();
  await stdio.start();
  await finished;
}

type Flags = { 'api-url'?: string; 'api-key'?: string; tools?: string };

export async function mcp(f: Flags): Promise<void> {
  const s = resolveSettings(f);
  // The API URL ends in /api; MCP lives at /mcp on the same origin.
  const url = new URL('/mcp', new URL(s.apiUrl).origin);
  const tools = f.tools ?? process.env.BERTH_MCP_TOOLS;
  if (tools) url.searchParams.set('tools', String(tools));
  if (!s.apiKey)
    process.stderr.write(
      'berth mcp: no API key (set BERTH_API_KEY or run `berth login`); the server will refuse requests\n',
    );
  await runStdioBridge({
    url,
    apiKey: s.apiKey,
    organizationId: s.organizationId,
    warn: (m) => process.stderr.write(m + '\n'),
  });
}

// Shared pieces of the MCP suites: the SDK's real Client over Streamable HTTP
// and over stdio (`node bin/berth.js mcp`), a second organization with its own
// key, and a fixture-mode server for the conformance suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { bootServer, type BootedServer } from '../../boot/server.js';
import type { Clock } from '../../common/clock.js';
import { createLogger } from '../../common/log.js';
import { newId } from '../../common/ids.js';
import { PERMISSIONS } from '../../orchestrator/keys/permissions.js';
import type { Stack } from '../helpers/stack.js';
import { testRunnerId } from '../helpers/runner-id.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Connected {
  client: Client;
  transport: StreamableHTTPClientTransport | StdioClientTransport;
  close(): Promise<void>;
}

export async function connectHttp(
  url: string,
  key: string | undefined,
  o: { tools?: string; name?: string } = {},
): Promise<Connected & { transport: StreamableHTTPClientTransport }> {
  const u = new URL('/mcp', url);
  if (o.tools) u.searchParams.set('tools', o.tools);
  const transport = new StreamableHTTPClientTransport(u, {
    requestInit: { headers: key ? { authorization: `Bearer ${key}` } : {} },
  });
  const client = new Client({ name: o.name ?? 'berth-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return {
    client,
    transport,
    close: async () => {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

export async function connectStdio(
  stack: Stack,
  o: { tools?: string } = {},
): Promise<Connected & { stderr: () => string }> {
  let err = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'bin/berth.js'), 'mcp', ...(o.tools ? ['--tools', o.tools] : [])],
    env: {
      PATH: process.env.PATH ?? '',
      BERTH_API_URL: stack.apiUrl,
      BERTH_API_KEY: stack.key,
      BERTH_CONFIG: join(stack.home, 'no-cli-config.json'),
    },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const client = new Client({ name: 'berth-test-stdio', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return { client, transport, stderr: () => err, close: () => client.close() };
}

/** A second organization with an API key, made directly in the store (organization APIs are not this suite's subject). */
export async function secondOrganization(server: BootedServer): Promise<{ organizationId: string; key: string }> {
  const now = Date.now();
  const organizationId = newId();
  const userId = newId();
  await server.store.knex.transaction(async (trx) => {
    await trx('users').insert({
      id: userId,
      email: `other-${userId}@localhost`,
      name: 'Other',
      system_admin: false,
      created_at: now,
    });
    await trx('organizations').insert({
      id: organizationId,
      name: 'Other',
      personal: true,
      created_at: now,
      updated_at: now,
    });
    await trx('memberships').insert({
      organization_id: organizationId,
      user_id: userId,
      role: 'owner',
      created_at: now,
    });
  });
  const k = await server.orch.keys.create({ organizationId, userId, name: 'other', permissions: [...PERMISSIONS] });
  return { organizationId, key: k.value };
}

/** A server in conformance-fixture mode (no sandboxes are created through it). */
export async function bootFixtureServer(
  extraEnv: Record<string, string> = {},
  share?: { home: string; key: string },
  clock?: Clock,
): Promise<{ server: BootedServer; key: string; home: string; close(): Promise<void> }> {
  const home = share?.home ?? mkdtempSync(join(tmpdir(), 'berth-mcp-fixture-'));
  const key = share?.key ?? `berth_test_${randomBytes(16).toString('hex')}`;
  const server = await bootServer({
    env: {
      BERTH_HOME: home,
      BERTH_RUNNER_ID: testRunnerId(),
      BERTH_ADMIN_API_KEY: key,
      PORT: '0',
      BERTH_SSH_PORT: '0',
      BERTH_LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    config: { sweepSeconds: 3600 },
    background: false,
    log: createLogger({ level: 'warn' }),
    announce: () => {},
    writeCliConfig: false,
    mcpConformanceFixtures: true,
    clock,
  });
  return {
    server,
    key,
    home,
    close: async () => {
      await server.close();
      if (!share) rmSync(home, { recursive: true, force: true });
    },
  };
}

export const text = (r: { content?: unknown }) =>
  ((r.content as { type: string; text?: string }[]) ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

export interface SseEvent {
  id?: string;
  data: string;
}

/** Parses an SSE response body into events (comments and empty keep-alives skipped). */
export async function* sseEvents(res: Response): AsyncGenerator<SseEvent> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev: SseEvent = { data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) ev.id = line.slice(3).trim();
          else if (line.startsWith('data:')) ev.data += line.slice(5).trim();
        }
        if (ev.id !== undefined || ev.data) yield ev;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** A hand-driven MCP session over fetch, for the HTTP rules the SDK client hides. */
export class RawSession {
  sessionId = '';
  private nextId = 1;
  constructor(
    readonly url: string,
    readonly key: string,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      authorization: `Bearer ${this.key}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
      ...extra,
    };
  }

  post(body: unknown, extra: Record<string, string> = {}): Promise<Response> {
    return fetch(new URL('/mcp', this.url), {
      method: 'POST',
      headers: this.headers(extra),
      body: JSON.stringify(body),
    });
  }

  request(method: string, params: Record<string, unknown> = {}, extra: Record<string, string> = {}): Promise<Response> {
    return this.post({ jsonrpc: '2.0', id: this.nextId++, method, params }, extra);
  }

  async initialize(): Promise<void> {
    const r = await this.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'raw', version: '1' },
    });
    if (r.status !== 200) throw new Error(`initialize: ${r.status} ${await r.text()}`);
    this.sessionId = r.headers.get('mcp-session-id') ?? '';
    for await (const _ of sseEvents(r)) void _;
    const n = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    if (n.status !== 202) throw new Error(`initialized: ${n.status}`);
  }

  get(lastEventId?: string, url = this.url): Promise<Response> {
    return fetch(new URL('/mcp', url), {
      headers: {
        ...this.headers({ accept: 'text/event-stream' }),
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
    });
  }
}

/** A POST through node:http, which (unlike fetch) lets a test set the Host header. Reads the whole answer. */
export function nodePost(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: import('node:http').IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

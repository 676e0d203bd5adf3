// Shared pieces of the MCP suites: the SDK's real Client over Streamable HTTP
// and over stdio (`node bin/berth.js mcp`), a second organization with its own
// key, and a fixture-mode server for the conformance suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { bootServer, type BootedServer } from '../../boot/server.js';
import { createLogger } from '../../common/log.js';
import { newId } from '../../common/ids.js';
import { PERMISSIONS } from '../../orchestrator/keys/permissions.js';
import type { Stack } from '../helpers/stack.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Connected {
  client: Client;
  transport: StreamableHTTPClientTransport | StdioClientTransport;
  close(): Promise<void>;
}

export async function connectHttp(url: string, key: string | undefined, o: { tools?: string; name?: string } = {}): Promise<Connected & { transport: StreamableHTTPClientTransport }> {
  const u = new URL('/mcp', url);
  if (o.tools) u.searchParams.set('tools', o.tools);
  const transport = new StreamableHTTPClientTransport(u, { requestInit: { headers: key ? { authorization: `Bearer ${key}` } : {} } });
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

export async function connectStdio(stack: Stack, o: { tools?: string } = {}): Promise<Connected & { stderr: () => string }> {
  let err = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'bin/berth.js'), 'mcp', ...(o.tools ? ['--tools', o.tools] : [])],
    env: { PATH: process.env.PATH ?? '', BERTH_API_URL: stack.apiUrl, BERTH_API_KEY: stack.key, BERTH_CONFIG: join(stack.home, 'no-cli-config.json') },
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
    await server.store.User.query(trx).insert({ id: userId, email: `other-${userId}@localhost`, name: 'Other', system_admin: false, created_at: now });
    await server.store.Organization.query(trx).insert({ id: organizationId, name: 'Other', personal: true, created_at: now, updated_at: now });
    await server.store.Membership.query(trx).insert({ organization_id: organizationId, user_id: userId, role: 'owner', created_at: now });
  });
  const k = await server.orch.keys.create({ organizationId, userId, name: 'other', permissions: [...PERMISSIONS] });
  return { organizationId, key: k.value };
}

/** A server in conformance-fixture mode (no sandboxes are created through it). */
export async function bootFixtureServer(extraEnv: Record<string, string> = {}): Promise<{ server: BootedServer; key: string; close(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'berth-mcp-fixture-'));
  const key = `berth_test_${randomBytes(16).toString('hex')}`;
  const server = await bootServer({
    env: { BERTH_HOME: home, BERTH_RUNNER_ID: `test-${randomBytes(4).toString('hex')}`, BERTH_ADMIN_API_KEY: key, PORT: '0', BERTH_LOG_LEVEL: 'warn', ...extraEnv },
    config: { sweepSeconds: 3600 },
    background: false,
    log: createLogger({ level: 'warn' }),
    announce: () => {},
    writeCliConfig: false,
    mcpConformanceFixtures: true,
  });
  return {
    server,
    key,
    close: async () => {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export const text = (r: { content?: unknown }) => ((r.content as { type: string; text?: string }[]) ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

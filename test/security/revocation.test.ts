// Revocation reaches long-lived connections: a key revoked (or a member
// removed) ends its open toolbox WebSockets, Socket.IO connections and MCP
// sessions within a second; an expiring key's socket ends when it expires.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io as ioClient } from 'socket.io-client';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';
import { connectWs } from '../helpers/ws.js';
import { connectHttp } from '../mcp/helpers.js';
import { as, join, newOrganization, sleep } from './helpers.js';

describe('revocation of open connections', () => {
  let stack: Stack;
  let sandbox: { id: string };
  before(async () => {
    stack = await startStack();
    sandbox = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 });
  });
  after(async () => stack?.close());

  const key = async (name: string, expiresAt?: string) =>
    (
      await as(stack, stack.key)('POST', '/api-keys', {
        name,
        permissions: ['write:sandboxes'],
        ...(expiresAt ? { expiresAt } : {}),
      })
    ).body.value as string;

  it('ends a terminal WebSocket, a Socket.IO connection and an MCP session of a revoked key within a second', async () => {
    const k = await key('live');
    const pty = await connectWs(stack, sandbox.id, 'process/pty/create-connect?id=rv&cols=80&rows=24', {
      key: k,
      protocols: ['X-Daytona-Pty-Exit-Control'],
    });
    const socket = ioClient(stack.url, {
      path: '/api/socket.io/',
      transports: ['websocket'],
      auth: { token: k },
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const socketGone = new Promise<number>((r) => socket.once('disconnect', () => r(Date.now())));
    const mcp = await connectHttp(stack.url, k);
    assert.ok((await mcp.client.listTools()).tools.length > 0);

    const t0 = Date.now();
    assert.equal((await as(stack, stack.key)('DELETE', '/api-keys/live')).status, 204);
    const closed = await Promise.race([pty.closed, sleep(1000).then(() => null)]);
    assert.ok(closed, 'the terminal socket is still open');
    assert.equal(closed.code, 1008);
    const at = await Promise.race([socketGone, sleep(1000).then(() => 0)]);
    assert.ok(at && at - t0 < 1000, 'the Socket.IO connection is still open');
    await assert.rejects(mcp.client.listTools(), /401|invalid|revoked|Session not found|404/i);
    await mcp.close().catch(() => {});
    socket.close();
  });

  it('ends the connections of a member removed from the organization', async () => {
    const org = await newOrganization(stack, 'Temp');
    const m = await join(stack, stack.key, org, 'temp@example.test', 'member');
    const s = (await as(stack, m.key)('POST', '/sandbox', { cpu: 1, memory: 1, disk: 1 })).body;
    const pty = await connectWs(stack, s.id, 'process/pty/create-connect?id=rm&cols=80&rows=24', {
      key: m.key,
      protocols: ['X-Daytona-Pty-Exit-Control'],
    });
    assert.equal((await as(stack, stack.key)('DELETE', `/organizations/${org}/users/${m.userId}`)).status, 204);
    const closed = await Promise.race([pty.closed, sleep(1000).then(() => null)]);
    assert.equal(closed?.code, 1008);
    await as(stack, stack.key)('DELETE', `/sandbox/${s.id}`, undefined, { 'x-daytona-organization-id': org });
  });

  it('ends a socket when its key expires', async () => {
    const k = await key('brief', new Date(Date.now() + 1500).toISOString());
    const pty = await connectWs(stack, sandbox.id, 'process/pty/create-connect?id=ex&cols=80&rows=24', {
      key: k,
      protocols: ['X-Daytona-Pty-Exit-Control'],
    });
    const closed = await Promise.race([pty.closed, sleep(4000).then(() => null)]);
    assert.equal(closed?.code, 1008);
  });
});

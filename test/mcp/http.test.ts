// The Streamable HTTP rules around the tools: authentication (401 with
// WWW-Authenticate and protected-resource metadata), organization scoping,
// session ids (400/404, DELETE, idle expiry), DNS-rebinding protection,
// concurrent streams, and resuming a dropped SSE stream with Last-Event-ID.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';
import {
  RawSession,
  bootFixtureServer,
  nodePost,
  connectHttp,
  secondOrganization,
  sseEvents,
  text,
} from './helpers.js';
import type { Json } from '../helpers/json.js';

const init = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('MCP over Streamable HTTP', () => {
  let stack: Stack;
  let sandbox: string;

  before(async () => {
    stack = await startStack();
    sandbox = (await createSandbox(stack, { name: 'mcp-http', cpu: 1, memory: 1 })).id;
  });
  after(async () => {
    await stack?.close();
  });

  it('refuses requests without a valid key with 401 and WWW-Authenticate', async () => {
    const none = await fetch(`${stack.url}/mcp`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(init) });
    assert.equal(none.status, 401);
    const challenge = none.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    const metaUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    assert.equal(metaUrl, `${stack.server.config.publicUrl}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(((await none.json()) as Json).error.code, -32001);

    const bad = await fetch(`${stack.url}/mcp`, {
      method: 'POST',
      headers: { ...jsonHeaders, authorization: 'Bearer berth_nope' },
      body: JSON.stringify(init),
    });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    await assert.rejects(connectHttp(stack.url, 'berth_wrong_key'), /401|invalid/i);

    const meta = (await (await fetch(`${stack.url}/.well-known/oauth-protected-resource/mcp`)).json()) as Json;
    assert.equal(meta.resource, `${stack.server.config.publicUrl}/mcp`);
    assert.deepEqual(meta.bearer_methods_supported, ['header']);
    assert.deepEqual(await (await fetch(`${stack.url}/.well-known/oauth-protected-resource`)).json(), meta);
  });

  it('scopes every tool to the key\u2019s organization', async () => {
    const other = await secondOrganization(stack.server);
    const c = await connectHttp(stack.url, other.key);
    try {
      for (const [name, args] of [
        ['sandbox_get', { sandbox_id: sandbox }],
        ['exec', { sandbox_id: sandbox, command: 'true' }],
        ['fs_read', { sandbox_id: sandbox, path: '/etc/hostname' }],
        ['sandbox_delete', { sandbox_id: sandbox }],
      ] as const) {
        const r = await c.client.callTool({ name, arguments: args });
        assert.equal(r.isError, true, name);
        assert.match(text(r as { content?: unknown }), /^Error \(not_found\): sandbox .* not found/, name);
      }
      assert.deepEqual((await c.client.callTool({ name: 'sandbox_list', arguments: {} })).structuredContent, {
        sandboxes: [],
        next_cursor: null,
        total: 0,
      });
      await assert.rejects(c.client.readResource({ uri: `sandbox://${sandbox}` }), /not found/);
      const { resources } = await c.client.listResources();
      assert.deepEqual(resources, []);
    } finally {
      await c.close();
    }
    // A session belongs to the key that opened it.
    const mine = new RawSession(stack.url, stack.key);
    await mine.initialize();
    const stolen = await fetch(`${stack.url}/mcp`, {
      method: 'POST',
      headers: { ...jsonHeaders, authorization: `Bearer ${other.key}`, 'mcp-session-id': mine.sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    assert.equal(stolen.status, 404);
  });

  it('applies the session id rules: 400 without, 404 unknown, DELETE ends it', async () => {
    const s = new RawSession(stack.url, stack.key);
    const noSession = await s.request('tools/list');
    assert.equal(noSession.status, 400);
    assert.match(((await noSession.json()) as Json).error.message, /Mcp-Session-Id/);
    assert.equal((await s.get()).status, 400);
    const unknown = await s.request('tools/list', {}, { 'mcp-session-id': 'no-such-session' });
    assert.equal(unknown.status, 404);

    await s.initialize();
    assert.match(s.sessionId, /^[0-9a-f-]{36}$/);
    const listed = await s.request('tools/list');
    assert.equal(listed.status, 200);
    const events = [];
    for await (const e of sseEvents(listed)) events.push(e);
    assert.ok(JSON.parse(events.at(-1)!.data).result.tools.length > 5);
    const del = await fetch(`${stack.url}/mcp`, { method: 'DELETE', headers: s.headers() });
    assert.equal(del.status, 200);
    assert.equal((await s.request('tools/list')).status, 404);
    assert.equal((await s.request('tools/list', {}, { 'mcp-session-id': '' })).status, 400);

    const badGroup = await fetch(`${stack.url}/mcp?tools=core,nope`, {
      method: 'POST',
      headers: { ...jsonHeaders, authorization: `Bearer ${stack.key}` },
      body: JSON.stringify(init),
    });
    assert.equal(badGroup.status, 400);
  });

  it('rejects foreign Host and Origin headers (DNS rebinding)', async () => {
    const post = (headers: Record<string, string>) =>
      nodePost(
        `${stack.url}/mcp`,
        { ...jsonHeaders, authorization: `Bearer ${stack.key}`, ...headers },
        JSON.stringify(init),
      );
    const port = new URL(stack.url).port;
    assert.equal((await post({ host: 'evil.example.com' })).status, 403);
    assert.equal(
      (await post({ host: `evil.example.com:${port}`, origin: `http://evil.example.com:${port}` })).status,
      403,
    );
    assert.equal((await post({ host: `localhost:${port}`, origin: 'http://evil.example.com' })).status, 403);
    const good = await post({ host: `localhost:${port}`, origin: `http://localhost:${port}` });
    assert.equal(good.status, 200);
    assert.equal(good.headers['access-control-allow-origin'], `http://localhost:${port}`);
  });

  it('serves several SSE streams of one session at once', async () => {
    const c = await connectHttp(stack.url, stack.key);
    try {
      const t0 = Date.now();
      const results = await Promise.all(
        [1, 2, 3].map((i) =>
          c.client.callTool({ name: 'exec', arguments: { sandbox_id: sandbox, command: `sleep 1; echo ${i}` } }),
        ),
      );
      assert.deepEqual(
        results.map((r) => (r.structuredContent as { stdout: string }).stdout),
        ['1\n', '2\n', '3\n'],
      );
      assert.ok(Date.now() - t0 < 2800, 'the three calls ran concurrently');
    } finally {
      await c.close();
    }
  });

  it('resumes a dropped tool-call stream with Last-Event-ID', async () => {
    const s = new RawSession(stack.url, stack.key);
    await s.initialize();
    const r = await s.request('tools/call', {
      name: 'exec',
      arguments: { sandbox_id: sandbox, command: 'for i in 1 2 3 4 5; do echo tick$i; sleep 0.4; done' },
      _meta: { progressToken: 'p1' },
    });
    assert.equal(r.status, 200);
    const seen: string[] = [];
    let lastId = '';
    for await (const e of sseEvents(r)) {
      lastId = e.id ?? lastId;
      if (e.data) seen.push(e.data);
      if (e.data.includes('tick1')) break; // drop the stream mid-call
    }
    assert.ok(lastId, 'events carry ids');
    assert.ok(!seen.some((d) => d.includes('"result"')));
    const resumed = await s.get(lastId);
    assert.equal(resumed.status, 200);
    const rest: string[] = [];
    for await (const e of sseEvents(resumed)) rest.push(e.data);
    const final = JSON.parse(rest.at(-1)!);
    assert.equal(final.id, 2);
    assert.equal(final.result.structuredContent.stdout, 'tick1\ntick2\ntick3\ntick4\ntick5\n');
    assert.ok(
      rest.some((d) => d.includes('tick5') && d.includes('notifications/progress')),
      'progress after the drop is delivered',
    );
    assert.ok(
      !rest.some((d) => d.includes('tick1') && d.includes('notifications/progress')),
      'nothing already seen is replayed',
    );
    assert.equal((await s.get('not-an-event-id')).status, 400);
    assert.equal((await s.get('0f6d4b8e-5f7a-4e0c-9d55-3c1f0a7e9b21:1')).status, 404);
  });

  it('expires idle sessions', async () => {
    const clock = new ManualClock(Date.now());
    const f = await bootFixtureServer({ BERTH_MCP_SESSION_IDLE_MINUTES: '0.05' }, undefined, clock);
    try {
      const s = new RawSession(f.server.url, f.key);
      await s.initialize();
      assert.equal((await s.request('ping')).status, 200);
      await clock.advance(2000);
      assert.equal((await s.request('ping')).status, 200, 'a used session stays');
      await clock.advance(3500);
      assert.equal((await s.request('ping')).status, 404);
    } finally {
      await f.close();
    }
  });

  it('accepts the public hostname behind a proxy and nothing else', async () => {
    const f = await bootFixtureServer({ BERTH_PUBLIC_URL: 'https://berth.example.com' });
    try {
      const post = (host: string) =>
        nodePost(
          `${f.server.url}/mcp`,
          { ...jsonHeaders, authorization: `Bearer ${f.key}`, host, origin: `https://${host}` },
          JSON.stringify(init),
        );
      assert.equal((await post('berth.example.com')).status, 200);
      assert.equal((await post('evil.example.com')).status, 403);
      assert.equal((await post('localhost')).status, 200);
    } finally {
      await f.close();
    }
  });
});

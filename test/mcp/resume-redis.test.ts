// Resumption across replicas: two servers share Redis (REDIS_URL) and a store;
// a session opened on one is served and resumed on the other, including
// events the first replica produces after the client moved. Runs only when
// BERTH_TEST_REDIS_URL is set (scripts/test.mjs starts Redis for it); starts
// nothing by itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, exec, startStack } from '../helpers/stack.js';
import { RawSession, bootFixtureServer, sseEvents } from './helpers.js';
import { testRunnerId } from '../helpers/runner-id.js';
import { skipUnless } from '../helpers/strict.js';

const redisUrl = process.env.BERTH_TEST_REDIS_URL;
const databaseUrl = process.env.BERTH_TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MCP resumption with Redis', { skip: skipUnless(!redisUrl && 'BERTH_TEST_REDIS_URL is not set') }, () => {
  let a: Awaited<ReturnType<typeof bootFixtureServer>>;
  let b: Awaited<ReturnType<typeof bootFixtureServer>>;

  before(async () => {
    a = await bootFixtureServer({ REDIS_URL: redisUrl! });
    b = await bootFixtureServer({ REDIS_URL: redisUrl! }, { home: a.home, key: a.key });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    if (a) rmSync(a.home, { recursive: true, force: true });
  });

  it('serves a session on another replica and resumes its stream there', async () => {
    const s = new RawSession(a.server.url, a.key);
    await s.initialize();

    // Replica A closes the tool call's stream on purpose (polling); the result comes later.
    const r = await s.request('tools/call', { name: 'test_reconnection', arguments: {} });
    assert.equal(r.status, 200);
    let lastId = '';
    for await (const e of sseEvents(r)) {
      lastId = e.id ?? lastId;
      assert.ok(!e.data.includes('"result"'), 'no result before the stream closed');
    }
    assert.ok(lastId, 'the priming event carries an id');

    // The client resumes on replica B, which rebuilds the session from Redis and follows A's events.
    const resumed = await s.get(lastId, b.server.url);
    assert.equal(resumed.status, 200);
    const got: string[] = [];
    for await (const e of sseEvents(resumed)) got.push(e.data);
    assert.equal(JSON.parse(got.at(-1)!).result.content[0].text, 'Reconnection test completed');

    // B now answers requests of the session too.
    const tools = await fetch(new URL('/mcp', b.server.url), {
      method: 'POST',
      headers: s.headers(),
      body: JSON.stringify({ jsonrpc: '2.0', id: 50, method: 'tools/list' }),
    });
    assert.equal(tools.status, 200);
    await tools.body?.cancel();

    // A dropped stream with progress events: the rest is replayed by the other replica.
    const p = await s.request('tools/call', {
      name: 'test_tool_with_progress',
      arguments: {},
      _meta: { progressToken: 'tok' },
    });
    let first = '';
    for await (const e of sseEvents(p)) {
      if (e.data.includes('notifications/progress')) {
        first = e.id!;
        break;
      }
    }
    const rest: string[] = [];
    for await (const e of sseEvents(await s.get(first, b.server.url))) rest.push(e.data);
    const progress = rest.filter((d) => d.includes('notifications/progress')).map((d) => JSON.parse(d).params.progress);
    assert.deepEqual(progress, [50, 100]);
    assert.equal(JSON.parse(rest.at(-1)!).result.content[0].text, 'tok');

    // Ending the session on B ends it on A as well.
    assert.equal((await fetch(new URL('/mcp', b.server.url), { method: 'DELETE', headers: s.headers() })).status, 200);
    assert.equal((await s.request('ping')).status, 404);
  });

  // Both replicas need one store for the sandbox: PostgreSQL.
  it(
    'forwards a cancellation sent to another replica, which kills the process',
    { skip: skipUnless(!databaseUrl && 'BERTH_TEST_DATABASE_URL is not set') },
    async () => {
      const one = await startStack();
      const home = mkdtempSync(join(tmpdir(), 'berth-mcp-replica-'));
      const two = await startStack({
        reuse: { home, runnerId: testRunnerId(), databaseUrl: one.databaseUrl, key: one.key },
      });
      try {
        const sandbox = (await createSandbox(one, { cpu: 1, memory: 1 })).id;
        const s = new RawSession(one.url, one.key);
        await s.initialize();
        const call = await s.request('tools/call', {
          name: 'exec',
          arguments: { sandbox_id: sandbox, command: 'echo $$ > /tmp/replica.pid; exec sleep 300' },
        });
        assert.equal(call.status, 200);
        let pid = '';
        for (let i = 0; i < 50 && !pid; i++) {
          await sleep(100);
          pid = (await exec(one, sandbox, 'cat /tmp/replica.pid 2>/dev/null || true')).result.trim();
        }
        assert.match(pid, /^\d+$/);
        const cancel = await fetch(new URL('/mcp', two.url), {
          method: 'POST',
          headers: s.headers(),
          body: JSON.stringify({
            jsonrpc: '2.0',
            method: 'notifications/cancelled',
            params: { requestId: 2, reason: 'test' },
          }),
        });
        assert.equal(cancel.status, 202);
        let alive = 'alive';
        for (let i = 0; i < 50 && alive === 'alive'; i++) {
          await sleep(100);
          alive = (await exec(one, sandbox, `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`)).result.trim();
        }
        assert.equal(alive, 'gone');
        await call.body?.cancel();
      } finally {
        await two.close();
        rmSync(home, { recursive: true, force: true });
        await one.close();
      }
    },
  );
});

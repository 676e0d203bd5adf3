// The preview proxy end to end: a real server, a real sandbox running a web
// app bound to 127.0.0.1, reached at the URLs the API hands out, with each
// access method; what the app sees (no Berth credential, X-Forwarded-*, no
// hop-by-hop headers); streaming; WebSockets; closed ports; 404s.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startStack, type Stack } from '../helpers/stack.js';
import { otherOrganizationKey } from '../helpers/other-org.js';
import { appSandbox } from './app.js';
import { lookup, open, send } from './client.js';

const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('preview proxy', () => {
  let stack: Stack;
  let id: string;
  let port: number;
  let url: string;
  let token: string;
  before(async () => {
    // Several rows send wrong credentials on purpose: the failed-authentication limit is tested in security/.
    stack = await startStack({ config: { rateLimitFailedAuth: 10_000 } });
    port = stack.server.http.port();
    id = await appSandbox(stack);
    const link = await stack.api('GET', `/sandbox/${id}/ports/8080/preview-url`);
    assert.equal(link.status, 200, JSON.stringify(link.body));
    url = link.body.url;
    token = link.body.token;
  });
  after(async () => {
    await stack?.api('DELETE', `/sandbox/${id}`).catch(() => {});
    await stack?.close();
  });

  it('hands out links on the port the server listens on, which work as given', async () => {
    assert.equal(url, `http://8080-${id}.localhost:${port}`);
    const r = await send(url, { headers: { 'x-daytona-preview-token': token, ...HTML } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /hello from the sandbox app/);
    const config = await stack.api('GET', '/config');
    assert.equal(config.body.proxyTemplateUrl, `http://{{PORT}}-{{sandboxId}}.localhost:${port}`);
  });

  it('asks for credentials: JSON 401 for API clients, a page saying how to get access for browsers', async () => {
    const api = await send(url);
    assert.equal(api.status, 401);
    assert.equal(api.json.code, 'unauthorized');
    assert.equal(api.json.reason, 'PREVIEW_AUTH_REQUIRED');
    assert.match(api.json.hint, /signed-preview-url/);
    const page = await send(url, { headers: HTML });
    assert.equal(page.status, 401);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.text, /berth sandbox preview/);
  });

  it('opens with the preview token in the query, and the app never sees it', async () => {
    const r = await send(`${url}/echo?a=1&DAYTONA_SANDBOX_AUTH_KEY=${token}&b=2`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.url, '/echo?a=1&b=2');
  });

  it('opens with an API key, strips it, and sets X-Forwarded-* without hop-by-hop headers', async () => {
    const r = await send(`${url}/echo`, {
      headers: {
        authorization: `Bearer ${stack.key}`,
        connection: 'keep-alive, x-hop',
        'x-hop': 'drop me',
        'x-forwarded-for': '203.0.113.9',
        'x-daytona-preview-token': '',
      },
    });
    assert.equal(r.status, 200, r.text);
    const h = r.json.headers;
    assert.equal(h.authorization, undefined);
    assert.equal(h['x-hop'], undefined);
    assert.equal(h['x-daytona-preview-token'], undefined);
    assert.equal(h.host, `8080-${id}.localhost:${port}`);
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(h['x-forwarded-host'], `8080-${id}.localhost:${port}`);
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(r.json.from, '127.0.0.1');
    const hop = await send(`${url}/hop`, { headers: { 'x-daytona-preview-token': token } });
    assert.equal(hop.text, 'hop');
    assert.equal(hop.headers['x-secret-hop'], undefined);
    assert.equal(hop.headers['keep-alive'], undefined);
  });

  it('turns a signed URL into a host-only cookie a browser keeps navigating with; Berth cookie stripped, app cookies kept', async () => {
    const signed = await stack.api('GET', `/sandbox/${id}/ports/8080/signed-preview-url?expiresInSeconds=120`);
    assert.equal(signed.status, 200);
    assert.match(signed.body.url, new RegExp(`^http://8080-[a-z0-9]{32}\\.localhost:${port}$`));
    const first = await send(signed.body.url, { headers: HTML });
    assert.equal(first.status, 200, first.text);
    const setCookie = (first.headers['set-cookie'] ?? []).find((c) => c.startsWith('berth_preview='));
    assert.ok(setCookie, 'a preview cookie is set');
    assert.match(setCookie!, /HttpOnly/);
    assert.match(setCookie!, /SameSite=Lax/);
    assert.doesNotMatch(setCookie!, /Domain=/i);
    const cookie = setCookie!.split(';')[0]!;
    // The browser sends it back to the host that set it; the app sees its own cookies only.
    const again = await send(`${url}/echo`, { headers: { cookie: `app=1; ${cookie}` } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.headers.cookie, 'app=1');
    const withToken = await send(`${url}/cookie`, { headers: { 'x-daytona-preview-token': token } });
    const both = withToken.headers['set-cookie'] ?? [];
    assert.ok(both.includes('app=1; Path=/'), 'the app’s own cookie passes');
    assert.ok(both.some((c) => c.startsWith('berth_preview=')));
    const tokenCookie = both.find((c) => c.startsWith('berth_preview='))!.split(';')[0]!;
    assert.equal((await send(`${url}/echo`, { headers: { cookie: tokenCookie } })).status, 200);
    const other = url.replace('8080-', '8081-');
    assert.equal((await send(`${other}/echo`, { headers: { cookie: tokenCookie } })).status, 401);
    assert.equal(
      (await send(`${url}/echo`, { headers: { cookie: tokenCookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) } }))
        .status,
      401,
    );
  });

  it('refuses a signed URL on another port, after it expires, and once it is revoked — its cookie too', async () => {
    const signed = (await stack.api('GET', `/sandbox/${id}/ports/8080/signed-preview-url?expiresInSeconds=2`)).body;
    const onQ = signed.url.replace('8080-', '8081-');
    const q = await send(onQ);
    assert.equal(q.status, 404);
    assert.equal((await send(signed.url)).status, 200);
    await sleep(2100);
    assert.equal((await send(signed.url)).status, 404);

    const long = (await stack.api('GET', `/sandbox/${id}/ports/8080/signed-preview-url?expiresInSeconds=600`)).body;
    const first = await send(long.url);
    assert.equal(first.status, 200);
    const cookie = first.headers['set-cookie']!.find((c) => c.startsWith('berth_preview='))!.split(';')[0]!;
    const expire = await stack.api('POST', `/sandbox/${id}/ports/8080/signed-preview-url/${long.token}/expire`);
    assert.equal(expire.status, 204);
    assert.equal((await send(long.url)).status, 404);
    await sleep(2100);
    assert.equal((await send(`${url}/echo`, { headers: { cookie } })).status, 401);
  });

  it('ends a key’s cookie within seconds of revoking the key', async () => {
    const created = await stack.api('POST', '/api-keys', { name: 'preview-revoke', permissions: ['write:sandboxes'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const r = await send(`${url}/echo`, { headers: { authorization: `Bearer ${created.body.value}` } });
    assert.equal(r.status, 200);
    const cookie = r.headers['set-cookie']!.find((c) => c.startsWith('berth_preview='))!.split(';')[0]!;
    assert.equal((await send(`${url}/echo`, { headers: { cookie } })).status, 200);
    // A WebSocket opened with the key ends with it.
    const ws = new WebSocket(`ws://8080-${id}.localhost:${port}/ws`, {
      headers: { authorization: `Bearer ${created.body.value}` },
      lookup,
    } as WebSocket.ClientOptions);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', () => resolve(Date.now())));
    assert.equal((await stack.api('DELETE', '/api-keys/preview-revoke')).status < 300, true);
    const t0 = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - t0 < 5000) {
      status = (await send(`${url}/echo`, { headers: { cookie } })).status;
      if (status === 200) await sleep(100);
    }
    assert.equal(status, 401);
    assert.ok(Date.now() - t0 < 2500, `cookie still worked ${Date.now() - t0} ms after revocation`);
    assert.ok((await Promise.race([closed, sleep(3000).then(() => Infinity)])) - t0 < 3000, 'the WebSocket was closed');
  });

  it('answers the same 404 for an unknown sandbox, a wrong token and another organization', async () => {
    const unknown = await send(`http://8080-00000000-0000-4000-8000-000000000000.localhost:${port}/`, {
      headers: { 'x-daytona-preview-token': token },
    });
    const wrongToken = await send(url, { headers: { 'x-daytona-preview-token': 'x'.repeat(32) } });
    const otherKey = await otherOrganizationKey(stack);
    const otherOrg = await send(url, { headers: { authorization: `Bearer ${otherKey}` } });
    const unknownSigned = await send(`http://8080-${'a'.repeat(32)}.localhost:${port}/`);
    // The token in the wrong place: the same 404, with a hint where it goes.
    const asKey = await send(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asKey.status, 404);
    assert.match(asKey.json.hint, /X-Daytona-Preview-Token header/);
    for (const r of [unknown, wrongToken, otherOrg, unknownSigned]) {
      assert.equal(r.status, 404, r.text);
      assert.equal(r.json.message, unknown.json.message);
    }
  });

  it('streams SSE and chunked responses as they come', async () => {
    const auth = { 'x-daytona-preview-token': token };
    for (const [path, name, firstPart, rest] of [
      ['/sse', 'sse', 'data: first', 'data: second'],
      ['/chunked', 'chunked', 'part one;', 'part two'],
    ] as const) {
      const res = await open(`${url}${path}`, { headers: auth });
      assert.equal(res.statusCode, 200);
      const it = res[Symbol.asyncIterator]();
      const got = String((await it.next()).value);
      assert.match(got, new RegExp(firstPart));
      // The app only finishes once released: what we read came before the response ended.
      assert.equal(res.complete, false);
      await send(`${url}/release?name=${name}`, { headers: auth });
      let tail = '';
      for (let n = await it.next(); !n.done; n = await it.next()) tail += String(n.value);
      assert.match(tail, new RegExp(rest));
    }
  });

  it('relays WebSockets both ways, on any path the app serves', async () => {
    for (const path of ['/ws', '/toolbox/x/process/pty/create-connect', '/api/socket.io/?EIO=4&transport=websocket']) {
      const ws = new WebSocket(`ws://8080-${id}.localhost:${port}${path}`, {
        headers: { 'x-daytona-preview-token': token },
        lookup,
      } as WebSocket.ClientOptions);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const reply = new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))));
      ws.send('ping');
      assert.equal(await reply, `echo:ping path:${path}`);
      ws.close();
    }
  });

  it('sends API, MCP and toolbox paths on a preview host to the app', async () => {
    for (const path of ['/api/sandbox', '/mcp', `/toolbox/${id}/files`, '/api/socket.io/?EIO=4&transport=polling']) {
      const r = await send(`${url}${path}`, {
        method: path === '/mcp' ? 'POST' : 'GET',
        headers: { 'x-daytona-preview-token': token, 'content-type': 'application/json' },
        body: path === '/mcp' ? '{}' : undefined,
      });
      assert.equal(r.status, 200, `${path}: ${r.text} ${JSON.stringify(r.headers)}`);
      assert.equal(r.json.url, path);
    }
  });

  it('says quickly that nothing listens on a closed port (JSON and page); Berth’s own port is the sandbox’s', async () => {
    for (const p of [9, port]) {
      const t0 = Date.now();
      const r = await send(`http://${p}-${id}.localhost:${port}/`, { headers: { 'x-daytona-preview-token': token } });
      assert.equal(r.status, 502);
      assert.equal(r.json.message, `nothing is listening on port ${p} in sandbox ${id}`);
      assert.ok(Date.now() - t0 < 2000);
    }
    const page = await send(`http://9-${id}.localhost:${port}/`, {
      headers: { 'x-daytona-preview-token': token, ...HTML },
    });
    assert.equal(page.status, 502);
    assert.match(page.text, /nothing is listening on port 9/);
  });

  it('passes the app’s own Authorization on a public sandbox, never a Berth key', async () => {
    assert.equal((await stack.api('POST', `/sandbox/${id}/public/true`)).status, 200);
    try {
      await sleep(1100); // the proxy's sandbox lookups live a second
      const anon = await send(`${url}/echo`, { headers: { authorization: 'Bearer app-token-123' } });
      assert.equal(anon.status, 200, anon.text);
      assert.equal(anon.json.headers.authorization, 'Bearer app-token-123');
      const basic = await send(`${url}/echo`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      assert.equal(basic.json.headers.authorization, 'Basic dXNlcjpwYXNz');
      const key = await send(`${url}/echo`, { headers: { authorization: `Bearer ${stack.key}` } });
      assert.equal(key.status, 200);
      assert.equal(key.json.headers.authorization, undefined);
      assert.equal(key.headers['access-control-allow-origin'], undefined, 'no CORS unless the app sends it');
    } finally {
      await stack.api('POST', `/sandbox/${id}/public/false`);
    }
  });

  it('marks the sandbox active on each request, unless X-Daytona-Skip-Last-Activity-Update is true', async () => {
    const gate = stack.server.orch.previewGate;
    const marked: string[] = [];
    const touch = gate.touch.bind(gate);
    gate.touch = (g) => {
      marked.push(g.sandbox.id);
      touch(g);
    };
    try {
      const auth = { 'x-daytona-preview-token': token };
      assert.equal((await send(`${url}/echo`, { headers: auth })).status, 200);
      const skipped = await send(`${url}/echo`, {
        headers: { ...auth, 'x-daytona-skip-last-activity-update': 'true' },
      });
      assert.equal(skipped.status, 200);
      assert.equal(
        skipped.json.headers['x-daytona-skip-last-activity-update'],
        undefined,
        'the header is for the proxy, not the app',
      );
      assert.deepEqual(marked, [id]);
    } finally {
      gate.touch = touch;
    }
    const before = Date.parse((await stack.api('GET', `/sandbox/${id}`)).body.lastActivityAt);
    await sleep(5100); // activity is written at most every 5 s per sandbox
    assert.equal((await send(`${url}/echo`, { headers: { 'x-daytona-preview-token': token } })).status, 200);
    await sleep(200);
    assert.ok(Date.parse((await stack.api('GET', `/sandbox/${id}`)).body.lastActivityAt) > before);
  });

  it('refuses malformed preview hosts clearly', async () => {
    for (const host of [`abc-${id}.localhost`, `0-${id}.localhost`, `70000-${id}.localhost`, `8080-nope.localhost`]) {
      const r = await send(`${stack.url}/`, { headers: { host: `${host}:${port}` } });
      assert.ok(r.status === 400 || r.status === 404, `${host}: ${r.status}`);
      assert.ok(r.json?.message, r.text);
    }
  });
});

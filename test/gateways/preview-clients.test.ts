// Preview URLs as each client hands them out — the real Daytona SDK's
// getPreviewLink, the MCP tool port_preview_url, `berth sandbox preview` —
// fetched as given; and a request that starts a stopped sandbox.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from '../sdk/helpers.js';
import { connectHttp, type Connected } from '../mcp/helpers.js';
import { startApp } from './app.js';
import { send } from './client.js';

const BIN = fileURLToPath(new URL('../../../bin/berth.js', import.meta.url));
const HELLO = /hello from the sandbox app/;

describe('preview URLs from every client, and start on request', () => {
  let t: SdkStack;
  let s: Sandbox;
  let mcp: Connected;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox({ autoStopInterval: 0 });
    await startApp(t.stack, s.id);
    mcp = await connectHttp(t.stack.url, t.stack.key);
  });
  after(async () => {
    await mcp?.close();
    await t?.close();
  });

  // Asynchronous on purpose: the server under test runs in this process's event loop.
  const berth = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: {
          ...process.env,
          BERTH_API_URL: t.stack.apiUrl,
          BERTH_API_KEY: t.stack.key,
          BERTH_CONFIG: '/nonexistent/cli.json',
        },
        timeout: 60_000,
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });

  it('SDK: getPreviewLink gives a URL and token that open the app', async () => {
    const link = await s.getPreviewLink(8080);
    const r = await send(link.url, { headers: { 'x-daytona-preview-token': link.token } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, HELLO);
    const signed = await s.getSignedPreviewUrl(8080, 60);
    const viaSigned = await send(signed.url);
    assert.equal(viaSigned.status, 200, viaSigned.text);
    assert.match(viaSigned.text, HELLO);
  });

  it('MCP: port_preview_url returns URLs that open the app', async () => {
    for (const signed of [false, true]) {
      const r = await mcp.client.callTool({
        name: 'port_preview_url',
        arguments: { sandbox_id: s.id, port: 8080, signed },
      });
      assert.notEqual(r.isError, true, JSON.stringify(r.content));
      const data = r.structuredContent as { url: string; token: string };
      const page = await send(data.url, { headers: signed ? {} : { 'x-daytona-preview-token': data.token } });
      assert.equal(page.status, 200, page.text);
      assert.match(page.text, HELLO);
    }
  });

  it('CLI: berth sandbox preview prints a URL that works as given', async () => {
    for (const args of [[], ['--signed', '--expires', '60']]) {
      const r = await berth(['sandbox', 'preview', s.id, '8080', ...args]);
      assert.equal(r.code, 0, r.err);
      const url = r.out.trim();
      assert.match(url, new RegExp(`^http://8080-[a-z0-9-]+\\.localhost:${new URL(t.stack.url).port}`));
      const page = await send(url);
      assert.equal(page.status, 200, `${url}: ${page.text}`);
      assert.match(page.text, HELLO);
    }
    const bad = await berth(['sandbox', 'preview', s.id, '99999']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /not a TCP port/);
  });

  it('starts a stopped sandbox on request when it allows that: browsers see a page, API clients wait', async () => {
    const api = t.stack.api.bind(t.stack);
    const link = await s.getPreviewLink(8080);
    const auth = { 'x-daytona-preview-token': link.token };
    assert.equal((await api('POST', `/sandbox/${s.id}/stop`)).body.state, 'stopped');
    await new Promise((r) => setTimeout(r, 1100)); // the proxy's sandbox lookups live a second

    const refused = await send(link.url, { headers: auth });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.json.reason, 'SANDBOX_NOT_STARTED');
    assert.match(refused.json.hint, /auto-start-on-request/);

    const set = await api('PUT', `/sandbox/${s.id}/auto-start-on-request`, { autoStartOnRequest: true });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.autoStartOnRequest, true);
    const page = await send(link.url, { headers: { ...auth, accept: 'text/html' } });
    assert.equal(page.status, 503);
    assert.match(page.text, /Starting the sandbox/);
    assert.match(page.text, /http-equiv="refresh"/);
    // An API client waits for the start; the app does not survive a stop, so the port is closed now.
    const waited = await send(`${link.url}/echo`, { headers: auth });
    assert.equal(waited.status, 502, waited.text);
    assert.match(waited.json.message, /nothing is listening on port 8080/);
    assert.equal((await api('GET', `/sandbox/${s.id}`)).body.state, 'started');
    await startApp(t.stack, s.id);

    // The organization's default applies to sandboxes without a setting of their own.
    assert.equal(
      (await api('PUT', `/sandbox/${s.id}/auto-start-on-request`, { autoStartOnRequest: null })).body
        .autoStartOnRequest,
      null,
    );
    const defaults = await api('PUT', `/organizations/${t.stack.organizationId}/defaults`, {
      autoStartOnRequest: true,
    });
    assert.equal(defaults.status, 200, JSON.stringify(defaults.body));
    assert.equal((await api('POST', `/sandbox/${s.id}/stop`)).body.state, 'stopped');
    await new Promise((r) => setTimeout(r, 1100));
    const again = await send(`${link.url}/echo`, { headers: auth });
    assert.equal(again.status, 502, again.text);
    assert.equal((await api('GET', `/sandbox/${s.id}`)).body.state, 'started');
    await startApp(t.stack, s.id);
  });
});

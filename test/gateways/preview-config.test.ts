// A preview set-up behind a TLS reverse proxy (docs/previews.md): https links
// on the proxy's port from BERTH_PUBLIC_URL / BERTH_PREVIEW_PUBLIC_PORT, a
// domain of its own, the Host and X-Forwarded-* headers such a proxy sends,
// and the previews-only port (BERTH_PREVIEW_PORT).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../helpers/stack.js';
import { freePort } from '../helpers/free-port.js';
import { appSandbox } from './app.js';
import { send } from './client.js';

describe('previews behind a reverse proxy', () => {
  let stack: Stack;
  let id: string;
  let previewPort: number;
  before(async () => {
    previewPort = await freePort();
    stack = await startStack({
      config: {
        publicUrl: 'https://berth.example.test',
        previewDomain: 'preview.example.test',
        previewPort,
        previewPublicPort: 443,
      },
    });
    id = await appSandbox(stack);
  });
  after(async () => {
    await stack?.api('DELETE', `/sandbox/${id}`).catch(() => {});
    await stack?.close();
  });

  it('hands out https links on the public port, and routes the Host such a proxy passes through', async () => {
    const link = (await stack.api('GET', `/sandbox/${id}/ports/8080/preview-url`)).body;
    assert.equal(link.url, `https://8080-${id}.preview.example.test`);
    // What nginx sends to Berth for that link (proxy_set_header Host $host; X-Forwarded-*).
    const host = `8080-${id}.preview.example.test`;
    const headers = {
      host,
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '198.51.100.7',
      'x-forwarded-host': host,
      'x-daytona-preview-token': link.token,
    };
    for (const port of [new URL(stack.url).port, String(previewPort)]) {
      const r = await send(`http://127.0.0.1:${port}/echo`, { headers });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.headers.host, host);
      assert.equal(r.json.headers['x-forwarded-proto'], 'https');
      assert.equal(r.json.headers['x-forwarded-host'], host);
      assert.equal(r.json.headers['x-forwarded-for'], '198.51.100.7, 127.0.0.1');
      const cookie = (r.headers['set-cookie'] ?? []).find((c) => c.startsWith('berth_preview='));
      assert.match(cookie ?? '', /; Secure/);
    }
    const signed = (await stack.api('GET', `/sandbox/${id}/ports/8080/signed-preview-url?expiresInSeconds=60`)).body;
    assert.match(signed.url, /^https:\/\/8080-[a-z0-9]{32}\.preview\.example\.test$/);
  });

  it('serves previews only on BERTH_PREVIEW_PORT, and nothing on the old default preview host', async () => {
    const api = await send(`http://127.0.0.1:${previewPort}/api/health`);
    assert.equal(api.status, 404);
    assert.match(api.json.message, /previews only/);
    // localhost is not the preview domain here: such hosts go to the API (and find no route).
    const other = await send(`http://127.0.0.1:${new URL(stack.url).port}/`, {
      headers: { host: `8080-${id}.localhost` },
    });
    assert.notEqual(other.json?.source, 'BERTH_PREVIEW');
  });
});

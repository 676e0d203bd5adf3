// CORS on preview hosts when BERTH_PREVIEW_CORS_ORIGINS allows it: an allowed
// origin's preflight is answered by the proxy (preflights carry no
// credentials), its requests read the app's answers and the proxy's errors;
// any other origin — another sandbox's preview page included — gets nothing.
// (CORS off by default is a row of test/security/attacks.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../helpers/stack.js';
import { appSandbox } from './app.js';
import { send } from './client.js';

const APP_ORIGIN = 'https://app.example.com';

describe('preview CORS (configured)', () => {
  let stack: Stack;
  let id: string;
  let url: string;
  let token: string;
  let port: number;
  const preflight = (origin: string) =>
    send(`${url}/echo`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'x-daytona-preview-token, content-type',
      },
    });

  before(async () => {
    stack = await startStack({ config: { previewCorsOrigins: ['sandbox', APP_ORIGIN] } });
    port = stack.server.http.port();
    id = await appSandbox(stack);
    const link = await stack.api('GET', `/sandbox/${id}/ports/8080/preview-url`);
    assert.equal(link.status, 200, JSON.stringify(link.body));
    ({ url, token } = link.body);
  });
  after(async () => {
    await stack?.api('DELETE', `/sandbox/${id}`).catch(() => {});
    await stack?.close();
  });

  it('answers an allowed origin’s preflight itself, without credentials', async () => {
    for (const origin of [APP_ORIGIN, `http://3000-${id}.localhost:${port}`]) {
      const r = await preflight(origin);
      assert.equal(r.status, 204, r.text);
      assert.equal(r.headers['access-control-allow-origin'], origin);
      assert.equal(r.headers['access-control-allow-credentials'], 'true');
      assert.equal(r.headers['access-control-allow-methods'], 'PUT');
      assert.equal(r.headers['access-control-allow-headers'], 'x-daytona-preview-token, content-type');
      assert.match(String(r.headers.vary), /Origin/);
      assert.equal(r.text, '', 'the app never saw the preflight');
    }
  });

  it('lets an allowed origin read the app’s answer and the proxy’s own errors', async () => {
    const ok = await send(`${url}/echo`, {
      method: 'PUT',
      headers: { origin: APP_ORIGIN, 'x-daytona-preview-token': token },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.method, 'PUT');
    assert.equal(ok.headers['access-control-allow-origin'], APP_ORIGIN);
    assert.equal(ok.headers['access-control-allow-credentials'], 'true');
    assert.match(String(ok.headers.vary), /Origin/);
    const denied = await send(`${url}/echo`, { headers: { origin: APP_ORIGIN } });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['access-control-allow-origin'], APP_ORIGIN, 'the page can read why it was refused');
  });

  it('gives other origins nothing: another sandbox’s preview page, another site, a look-alike', async () => {
    const other = await stack.api('POST', '/sandbox', { cpu: 0.5, memory: 0.5, autoStopInterval: 0 });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    try {
      for (const origin of [
        `http://3000-${other.body.id}.localhost:${port}`,
        'https://evil.example',
        'https://app.example.com.evil.example',
        `http://3000-${id}.localhost.evil.example`,
      ]) {
        const pre = await preflight(origin);
        assert.equal(pre.status, 401, `${origin}: a preflight without credentials goes to the gate like any request`);
        assert.equal(pre.headers['access-control-allow-origin'], undefined, origin);
        const r = await send(`${url}/echo`, { headers: { origin, 'x-daytona-preview-token': token } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers['access-control-allow-origin'], undefined, origin);
        assert.equal(r.headers['access-control-allow-credentials'], undefined, origin);
      }
    } finally {
      await stack.api('DELETE', `/sandbox/${other.body.id}`);
    }
  });
});

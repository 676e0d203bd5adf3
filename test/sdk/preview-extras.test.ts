// Preview links, signed preview URLs, signed file URLs and /config through
// the SDK, and SSH access, which this server declines with 501 instead of faking it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaytonaError, DaytonaNotFoundError, DaytonaValidationError, type Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';
import { connectWs, UpgradeRejected } from '../helpers/ws.js';

describe('SDK: previews, signing keys and unsupported operations', () => {
  let t: SdkStack;
  let s: Sandbox;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox();
  });
  after(async () => {
    await t?.close();
  });

  it('returns preview links with a token the preview proxy can verify', async () => {
    const link = await s.getPreviewLink(3000);
    // On the port clients reach the server on (BERTH_PUBLIC_URL), where the preview proxy listens.
    assert.equal(link.url, `http://3000-${s.id}.localhost:${new URL(t.stack.apiUrl).port}`);
    assert.match(link.token, /^[a-z0-9]{32}$/);
    assert.equal((await s.getPreviewLink(8080)).token, link.token);
    const preview = t.stack.server.orch.preview;
    assert.equal(await preview.verifyPreviewToken(s.id, link.token), true);
    assert.equal(
      await preview.verifyPreviewToken(
        s.id,
        link.token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
      ),
      false,
    );
    assert.equal((await t.stack.api('GET', `/sandbox/${s.id}/ports/70000/preview-url`)).status, 400);
  });

  it('opens the toolbox of its own sandbox, and nothing else, with the preview token (browser runtimes)', async () => {
    const { token } = await s.getPreviewLink(1);
    // What the SDK does in browsers, Deno and serverless: no headers, the token in the query, its version first among the subprotocols.
    const pty = await connectWs(
      t.stack,
      s.id,
      `process/pty/create-connect?id=browser&cols=80&rows=24&DAYTONA_SANDBOX_AUTH_KEY=${token}`,
      {
        key: null,
        protocols: ['X-Daytona-SDK-Version~0.218.0', 'X-Daytona-Pty-Exit-Control'],
      },
    );
    try {
      assert.equal(pty.protocol, 'X-Daytona-Pty-Exit-Control');
      pty.send('echo via-preview-$((6*7))\n');
      await pty.waitForOutput('via-preview-42');
    } finally {
      await pty.close();
    }
    const home = await t.stack.api('GET', `/toolbox/${s.id}/user-home-dir`, undefined, {
      key: null,
      headers: { 'x-daytona-preview-token': token },
    });
    assert.equal(home.status, 200, JSON.stringify(home.body));
    assert.equal(home.body.dir, '/home/berth');
    // Changes go through too, as with the owner's key.
    const run = await t.stack.api(
      'POST',
      `/toolbox/${s.id}/process/execute?DAYTONA_SANDBOX_AUTH_KEY=${token}`,
      { command: 'echo ok' },
      { key: null },
    );
    assert.equal(run.body.result, 'ok\n');
    // A wrong token, or the token on another sandbox or on the control API, is refused.
    const wrong = token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
    await assert.rejects(
      connectWs(
        t.stack,
        s.id,
        `process/pty/create-connect?id=wrong&cols=80&rows=24&DAYTONA_SANDBOX_AUTH_KEY=${wrong}`,
        { key: null },
      ),
      (e) => e instanceof UpgradeRejected && e.status === 401,
    );
    const other = await t.stack.api('POST', '/sandbox', {
      image: 'berth-test/busybox:static',
      cpu: 1,
      memory: 1,
      disk: 1,
    });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    try {
      const elsewhere = await t.stack.api('GET', `/toolbox/${other.body.id}/user-home-dir`, undefined, {
        key: null,
        headers: { 'x-daytona-preview-token': token },
      });
      assert.equal(elsewhere.status, 401);
      assert.equal(
        (
          await t.stack.api('GET', `/sandbox/${s.id}`, undefined, {
            key: null,
            headers: { 'x-daytona-preview-token': token },
          })
        ).status,
        401,
      );
    } finally {
      await t.stack.api('DELETE', `/sandbox/${other.body.id}`);
    }
    // The token can write, so a read-only key cannot fetch it.
    const ro = await t.stack.api('POST', '/api-keys', { name: `ro-${Date.now()}`, permissions: [] });
    assert.equal(ro.status, 201, JSON.stringify(ro.body));
    const denied = await t.stack.api('GET', `/sandbox/${s.id}/ports/1/preview-url`, undefined, { key: ro.body.value });
    assert.equal(denied.status, 403);
  });

  it('signs preview URLs that expire, on time or on request', async () => {
    const signed = await s.getSignedPreviewUrl(8080, 120);
    assert.equal(signed.port, 8080);
    assert.equal(signed.sandboxId, s.id);
    assert.equal(signed.url, `http://8080-${signed.token}.localhost:${new URL(t.stack.apiUrl).port}`);
    const preview = t.stack.server.orch.preview;
    assert.deepEqual(
      { ...(await preview.resolveSignedPreview(signed.token)), expiresAt: 0 },
      { sandboxId: s.id, organizationId: t.stack.organizationId, port: 8080, expiresAt: 0 },
    );
    await s.expireSignedPreviewUrl(8080, signed.token);
    assert.equal(await preview.resolveSignedPreview(signed.token), null);
    await assert.rejects(s.expireSignedPreviewUrl(8080, 'nosuchtoken'), DaytonaNotFoundError);
    const short = await s.getSignedPreviewUrl(5000);
    assert.ok(await preview.resolveSignedPreview(short.token), 'default lifetime is 60 s');
    await assert.rejects(s.getSignedPreviewUrl(5000, 0), DaytonaValidationError);
    await assert.rejects(s.getSignedPreviewUrl(5000, 24 * 3600 + 1), DaytonaValidationError);
  });

  it('serves a signing key the SDK signs file URLs with, and rotates it', async () => {
    const check = async (url: string, method: 'GET' | 'POST') => {
      const u = new URL(url);
      assert.equal(u.pathname, `/toolbox/${s.id}/files/${method === 'GET' ? 'download' : 'upload-v2'}`);
      return t.stack.server.orch.preview.verifyFileSignature(
        s.id,
        method,
        u.searchParams.get('path')!,
        u.searchParams.get('expires')!,
        u.searchParams.get('signature')!,
      );
    };
    const down = await s.downloadUrl('reports/out.txt', 600);
    assert.equal(await check(down, 'GET'), true);
    const up = await s.uploadUrl('in/data.bin');
    assert.equal(await check(up, 'POST'), true);
    assert.equal(await check(up.replace('path=in', 'path=other'), 'POST'), false);
    const forever = await s.downloadUrl('x', 0);
    assert.equal(new URL(forever).searchParams.get('expires'), '0');
    assert.equal(await check(forever, 'GET'), true);
    const key = (await t.stack.api('GET', `/sandbox/${s.id}/signing-key`)).body;
    assert.match(key, /^[A-Za-z0-9]{32}$/);
    const rotated = await s.rotateSigningKey();
    assert.notEqual(rotated, key);
    assert.equal(await check(down, 'GET'), false, 'old signatures die with the old key');
  });

  it('refuses SSH access without the gateway, and answers 404 for build logs of a sandbox that was not built', async () => {
    // This server runs without the SSH gateway (BERTH_SSH_PORT=0): access is refused with the reason, not faked
    // (test/gateways/ssh-access.test.ts drives these calls against a gateway).
    await assert.rejects(
      s.createSshAccess(30),
      (e: unknown) => e instanceof DaytonaError && e.statusCode === 409 && /SSH is off/.test(e.message),
    );
    assert.deepEqual(await s.validateSshAccess('t'), { valid: false, sandboxId: '' });
    const logs = await t.stack.api('GET', `/sandbox/${s.id}/build-logs-url`);
    assert.equal(logs.status, 404);
    assert.match(logs.body.message, /has no image build/);
    // Unknown sandboxes are still 404, never 501.
    assert.equal((await t.stack.api('POST', '/sandbox/nope/fork', {})).status, 404);
    assert.equal((await t.stack.api('POST', '/sandbox/nope/ssh-access', {})).status, 404);
    // The sandbox is untouched.
    await s.refreshData();
    assert.equal(s.state, 'started');
  });

  it('serves /config', async () => {
    const r = await t.stack.api('GET', '/config', undefined, { key: null });
    assert.equal(r.status, 200);
    assert.equal(r.body.defaultSnapshot, 'berth/sandbox-base:latest');
    assert.equal(r.body.proxyToolboxUrl, `${t.stack.server.config.publicUrl}/toolbox`);
    assert.equal(r.body.proxyTemplateUrl, `http://{{PORT}}-{{sandboxId}}.localhost:${new URL(t.stack.apiUrl).port}`);
    assert.equal(r.body.analyticsApiUrl, '');
    assert.equal(typeof r.body.maxAutoArchiveInterval, 'number');
  });
});

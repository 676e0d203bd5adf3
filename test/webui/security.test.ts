// The web UI's security properties in a real browser against a real server:
// user strings render as text (a payload in every kind of user string), a
// strict CSP, an HttpOnly host-only session cookie, refusal of cookie
// requests from other origins (a *.localhost page is the same site), and
// sessions that end at sign-out and at key revocation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as ioClient } from 'socket.io-client';
import type { BrowserContext, Page } from 'playwright-core';
import { newKey } from '../gateways/ssh-helpers.js';
import { sessionCookie, signIn, uiStack, watchedPage, type UiStack } from './helpers.js';

const PAYLOAD = `<img src=x onerror=alert(1)><svg onload=alert(2)>"'&amp;`;
/** Elements the payload would create if it were parsed as HTML. */
const INJECTED = `document.querySelectorAll('img[src="x"], svg[onload], [onerror]').length`;

interface XssCase {
  what: string;
  /** Puts the payload in through the public API; returns the page path that shows it. */
  plant: (ui: UiStack, sandboxId: string) => Promise<string>;
  /** How the page shows it (default: as text). */
  check?: (page: Page) => Promise<void>;
}

const api = async (ui: UiStack, method: string, path: string, body?: unknown) => {
  const r = await ui.stack.api(method, path, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

const CASES: XssCase[] = [
  { what: 'a label value', plant: async () => `/sandboxes` },
  { what: 'an environment value', plant: async (_ui, id) => `/sandboxes/${id}` },
  {
    what: 'a file name',
    plant: async (ui, id) => {
      const form = new FormData();
      form.append('file', new Blob([PAYLOAD]), 'x');
      const r = await fetch(
        `${ui.stack.url}/toolbox/${id}/files/upload?path=${encodeURIComponent(`/home/berth/${PAYLOAD}`)}`,
        { method: 'POST', headers: { authorization: `Bearer ${ui.stack.key}` }, body: form },
      );
      assert.equal(r.status, 200, await r.text());
      return `/sandboxes/${id}/files`;
    },
  },
  {
    what: 'file contents',
    plant: async (_ui, id) => `/sandboxes/${id}/files`,
    check: async (page) => {
      await page.getByRole('link', { name: PAYLOAD, exact: true }).click();
      const editor = page.getByLabel(`Contents of ${PAYLOAD}`);
      await editor.waitFor();
      assert.equal(await editor.inputValue(), PAYLOAD);
    },
  },
  {
    what: 'a command log',
    plant: async (ui, id) => {
      await api(ui, 'POST', `/toolbox/${id}/process/session`, { sessionId: 'xss' });
      await api(ui, 'POST', `/toolbox/${id}/process/session/xss/exec`, {
        command: `echo ${Buffer.from(PAYLOAD).toString('base64')} | base64 -d`,
      });
      return `/sandboxes/${id}/processes`;
    },
    check: async (page) => {
      await page.getByRole('button', { name: /^Logs of echo/ }).click();
      await page.getByLabel('Command output').getByText(PAYLOAD).waitFor();
    },
  },
  {
    what: 'an audit entry',
    plant: async (ui) => {
      const r = await ui.stack.api('DELETE', `/api-keys/${encodeURIComponent(PAYLOAD)}`);
      assert.equal(r.status, 404);
      await new Promise((res) => setTimeout(res, 500)); // audit entries are written in batches
      return '/audit';
    },
  },
  {
    what: 'an organization name (the switcher)',
    plant: async (ui) => {
      await api(ui, 'POST', '/organizations', { name: PAYLOAD });
      return '/sandboxes';
    },
    check: async (page) => {
      // The switcher appears once the list of organizations has loaded.
      await page.getByLabel('Organization').locator('option').nth(1).waitFor({ state: 'attached' });
      const options = await page.getByLabel('Organization').locator('option').allTextContents();
      assert.ok(options.includes(PAYLOAD), JSON.stringify(options));
    },
  },
  {
    what: 'a secret description',
    plant: async (ui) => {
      await api(ui, 'POST', '/secret', { name: 'XSS_SECRET', value: 'v', description: PAYLOAD });
      return '/settings';
    },
  },
  {
    what: 'a registry name, username and project',
    plant: async (ui) => {
      // Its address cannot carry markup: the API takes a host[:port] only.
      const bad = await ui.stack.api('POST', '/docker-registry', {
        name: 'xss-url',
        url: PAYLOAD,
        username: 'u',
        password: 'p',
      });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      await api(ui, 'POST', '/docker-registry', {
        name: PAYLOAD,
        url: 'xss.example.test:5000',
        username: PAYLOAD,
        password: 'p',
        project: PAYLOAD,
      });
      return '/registries';
    },
    check: async (page) => {
      await page
        .getByRole('table', { name: 'Registries' })
        .getByRole('cell', { name: PAYLOAD, exact: true })
        .nth(2)
        .waitFor();
    },
  },
  {
    what: 'a build log',
    plant: async (ui) => {
      const dockerfile = `FROM berth/sandbox-base:latest\nRUN echo ${Buffer.from(PAYLOAD).toString('base64')} | base64 -d\n`;
      await api(ui, 'POST', '/snapshots', { name: 'xss-build', buildInfo: { dockerfileContent: dockerfile } });
      for (
        let i = 0;
        i < 240 && ['pending', 'building'].includes((await api(ui, 'GET', '/snapshots/xss-build')).state);
        i++
      ) {
        await new Promise((r) => setTimeout(r, 500));
      }
      return '/snapshots';
    },
    check: async (page) => {
      await page.getByRole('button', { name: 'Build log of xss-build' }).click();
      await page.getByRole('log', { name: 'Build log' }).getByText(PAYLOAD).waitFor({ timeout: 15_000 });
    },
  },
  {
    what: "an error message (the API's message and hint)",
    plant: async () => `/sandboxes/${encodeURIComponent(PAYLOAD)}`,
  },
];

describe('web UI security', () => {
  let ui: UiStack;
  let context: BrowserContext;
  let page: Page;
  let problems: { list: string[] };
  let sandboxId: string;
  let evil: http.Server;
  let evilBase: string;
  const evilCookies: string[] = [];

  before(async () => {
    ui = await uiStack();
    context = await ui.context();
    ({ page, problems } = await watchedPage(context));
    const s = await api(ui, 'POST', '/sandbox', {
      name: 'sec-sb',
      cpu: 0.5,
      memory: 0.5,
      labels: { xss: PAYLOAD },
      env: { XSS: PAYLOAD },
    });
    sandboxId = s.id;
    // Another origin of the same site (as a preview page is): *.localhost on another port.
    evil = http.createServer((req, res) => {
      evilCookies.push(req.headers.cookie ?? '');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>evil</title><form id=f method=post enctype=text/plain></form>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    evilBase = `http://evil-preview.localhost:${(evil.address() as AddressInfo).port}`;
    await signIn(page, ui.base, ui.stack.key);
  });
  after(async () => {
    evil?.close();
    // The built image goes with its snapshot.
    const built = await ui?.stack.api('GET', '/snapshots/xss-build');
    if (built?.status === 200) await ui.stack.api('DELETE', `/snapshots/${built.body.id}`);
    await ui?.close();
  });

  for (const c of CASES) {
    it(`renders ${c.what} as text`, async () => {
      const path = await c.plant(ui, sandboxId);
      await page.goto(`${ui.base}${path}`);
      if (c.check) await c.check(page);
      // Inside the page body: the organization switcher's (hidden) options hold the payload too once it is an organization name.
      else await page.locator('#main').getByText(PAYLOAD, { exact: false }).first().waitFor({ timeout: 15_000 });
      assert.equal(await page.evaluate(INJECTED), 0);
    });
  }

  it('refuses markup in snapshot and SSH key names, so neither reaches a page', async () => {
    const snap = await ui.stack.api('POST', '/snapshots', { name: PAYLOAD, imageName: 'berth/sandbox-base:latest' });
    assert.equal(snap.status, 400, JSON.stringify(snap.body));
    const dir = mkdtempSync(join(tmpdir(), 'berth-ui-sec-'));
    const key = readFileSync(`${await newKey(dir, 'k')}.pub`, 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
    rmSync(dir, { recursive: true, force: true });
    const named = await ui.stack.api('POST', '/users/me/ssh-keys', { publicKey: key, name: PAYLOAD });
    assert.equal(named.status, 400, JSON.stringify(named.body));
    // Nor through the key's comment: a comment that is no valid name is not used as one.
    const commented = await api(ui, 'POST', '/users/me/ssh-keys', { publicKey: `${key} ${PAYLOAD}` });
    assert.ok(!commented.name.includes('<'), commented.name);
    await page.goto(`${ui.base}/settings/ssh-keys`);
    await page.getByRole('cell', { name: commented.name, exact: true }).waitFor();
    assert.equal(await page.evaluate(INJECTED), 0);
  });

  it('saw no CSP violation or page error while rendering the payloads', () => {
    // The error-message row answers 404 on purpose: the browser logs that load as a console error.
    assert.deepEqual(
      problems.list.filter((p) => !p.includes('404')),
      [],
    );
  });

  it('serves pages under a strict Content-Security-Policy', async () => {
    const r = await fetch(`${ui.base}/sandboxes`);
    const csp = r.headers.get('content-security-policy')!;
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'none'",
    ])
      assert.ok(csp.includes(d), `${d} missing from ${csp}`);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), csp);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    const html = await r.text();
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'an inline script in index.html');
  });

  it('keeps the session in an HttpOnly, SameSite=Strict, host-only cookie that script cannot read', async () => {
    const r = await fetch(`${ui.base}/api/ui/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ui.base, 'x-berth-csrf': '1' },
      body: JSON.stringify({ apiKey: ui.stack.key }),
    });
    assert.equal(r.status, 200);
    const set = r.headers.get('set-cookie')!;
    assert.match(set, /^berth_session=[\w-]{40,};/);
    assert.match(set, /; HttpOnly/);
    assert.match(set, /; SameSite=Strict/);
    assert.match(set, /; Path=\//);
    assert.ok(!/domain=/i.test(set), set);
    const c = await sessionCookie(context);
    assert.ok(c && c.httpOnly && c.sameSite === 'Strict' && c.domain === 'localhost');
    assert.ok(!((await page.evaluate('document.cookie')) as string).includes('berth_session'));
  });

  it('never sends the UI cookie to another *.localhost host (a preview origin)', async () => {
    await page.goto(`${evilBase}/`);
    assert.ok(evilCookies.length > 0);
    assert.ok(
      evilCookies.every((c) => !c.includes('berth_session')),
      JSON.stringify(evilCookies),
    );
  });

  it('refuses state-changing cookie requests from a *.localhost page and hides UI answers from it', async () => {
    const before = (await ui.stack.api('GET', '/sandbox')).body.total;
    await page.goto(`${evilBase}/`);
    const results = await page.evaluate(`(async () => {
      const out = {};
      const target = ${JSON.stringify(ui.base)};
      const attempt = async (name, f) => { try { const r = await f(); out[name] = r.type === 'opaque' ? 'opaque' : r.status; } catch (e) { out[name] = 'blocked'; } };
      await attempt('simplePost', () => fetch(target + '/api/sandbox', { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"name":"csrf-simple"}' }));
      await attempt('withHeader', () => fetch(target + '/api/sandbox', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'x-berth-csrf': '1' }, body: '{"name":"csrf-header"}' }));
      await attempt('readList', () => fetch(target + '/api/sandbox', { credentials: 'include' }));
      await attempt('readSession', () => fetch(target + '/api/ui/session', { credentials: 'include', headers: { 'x-berth-csrf': '1' } }));
      out.ws = await new Promise((resolve) => {
        const ws = new WebSocket(target.replace('http', 'ws') + '/toolbox/${sandboxId}/process/pty/create-connect?id=evil&cols=80&rows=24');
        ws.onmessage = (e) => resolve('message: ' + e.data);
        ws.onerror = () => resolve('refused');
        setTimeout(() => resolve('timeout'), 5000);
      });
      return out;
    })()`);
    assert.deepEqual(results, {
      simplePost: 'opaque',
      withHeader: 'blocked',
      readList: 'blocked',
      readSession: 'blocked',
      ws: 'refused',
    });
    // A plain form post (no script needed) is refused too: its body is not JSON (415), and it comes without the
    // cookie where the browser keeps it to its own site, else fails the Origin check.
    await page.evaluate(
      `(() => { const f = document.getElementById('f'); f.action = ${JSON.stringify(`${ui.base}/api/sandbox`)}; const i = document.createElement('input'); i.name = '{"name":"csrf-form","x":"'; i.value = '"}'; f.append(i); f.submit(); })()`,
    );
    await page.waitForLoadState();
    assert.match((await page.textContent('body'))!, /"statusCode":(401|403|415)/);
    const afterList = (await ui.stack.api('GET', '/sandbox')).body;
    assert.equal(afterList.total, before, JSON.stringify(afterList.items.map((s: { name: string }) => s.name)));
  });

  it('checks Origin and the custom header on every cookie request, WebSocket and Socket.IO connection', async () => {
    const c = (await sessionCookie(context))!;
    const cookie = `berth_session=${c.value}`;
    const call = (headers: Record<string, string>, method = 'POST') =>
      fetch(`${ui.stack.url}/api/volumes`, {
        method,
        headers: { cookie, host: `localhost:${ui.port}`, 'content-type': 'application/json', ...headers },
        body: method === 'POST' ? '{"name":"csrf-vol"}' : undefined,
      });
    assert.equal((await call({ origin: evilBase, 'x-berth-csrf': '1' })).status, 403);
    assert.equal(
      (await call({ origin: `http://3000-${sandboxId}.localhost:${ui.port}`, 'x-berth-csrf': '1' })).status,
      403,
    );
    assert.equal((await call({ origin: ui.base })).status, 403);
    assert.equal((await call({ 'x-berth-csrf': '1' })).status, 403);
    assert.equal((await call({}, 'GET')).status, 403);
    assert.equal((await call({ origin: ui.base, 'x-berth-csrf': '1' }, 'GET')).status, 200);
    const sio = (origin: string) =>
      new Promise<string>((resolve) => {
        const s = ioClient(ui.base, {
          path: '/api/socket.io/',
          transports: ['websocket'],
          extraHeaders: { cookie, origin },
          reconnection: false,
        });
        s.on('connect', () => (s.close(), resolve('connected')));
        s.on('connect_error', (e) => (s.close(), resolve(`refused: ${e.message}`)));
      });
    assert.match(await sio(evilBase), /^refused/);
    assert.equal(await sio(ui.base), 'connected');
  });

  it('sign-out ends the session: the old cookie no longer works', async () => {
    await page.goto(`${ui.base}/sandboxes`);
    const old = (await sessionCookie(context))!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal(await sessionCookie(context), undefined);
    const r = await fetch(`${ui.stack.url}/api/sandbox`, {
      headers: {
        cookie: `berth_session=${old.value}`,
        origin: ui.base,
        'x-berth-csrf': '1',
        host: `localhost:${ui.port}`,
      },
    });
    assert.equal(r.status, 401);
  });

  it('revoking the key ends its sessions within 1 s, open terminal included', async () => {
    const k = await api(ui, 'POST', '/api-keys', { name: 'to-revoke', permissions: ['write:sandboxes'] });
    const { page: p, problems: seen } = await watchedPage(await ui.context());
    await signIn(p, ui.base, k.value);
    await p.goto(`${ui.base}/sandboxes/${sandboxId}/terminal`);
    await p.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 20_000 });
    const cookie = (await sessionCookie(p.context()))!;
    await api(ui, 'DELETE', '/api-keys/to-revoke');
    const t0 = Date.now();
    await p.getByLabel('API key').waitFor({ timeout: 1000 });
    assert.ok(Date.now() - t0 <= 1000);
    const r = await fetch(`${ui.stack.url}/api/ui/session`, {
      headers: {
        cookie: `berth_session=${cookie.value}`,
        origin: ui.base,
        'x-berth-csrf': '1',
        host: `localhost:${ui.port}`,
      },
    });
    assert.deepEqual(await r.json(), { signedIn: false });
    assert.deepEqual(
      seen.list.filter((x) => !/401|Unauthorized|WebSocket/.test(x)),
      [],
    );
  });
});

// Getting into a sandbox from the web UI as a person would, end to end: the
// SSH tab's command run as shown by the real OpenSSH client (a throw-away
// known_hosts holding the key GET /api/config gives), revoked from the tab;
// the people's-keys login with a key added on the SSH keys page; and an app
// in the sandbox opened from the Ports tab and from a signed link, through
// the preview proxy's cookie flow in Chromium.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createSandbox, exec } from '../helpers/stack.js';
import { newKey, run } from '../gateways/ssh-helpers.js';
import { shot, signIn, uiStack, watchedPage, type UiStack } from './helpers.js';
import { sshOptions } from '../helpers/ssh-options.js';

describe('web UI: SSH and previews as a person uses them', () => {
  let ui: UiStack;
  let context: BrowserContext;
  let page: Page;
  let problems: { list: string[] };
  let sb: { id: string; name: string };
  let dir: string;
  let opts: string[];

  before(async () => {
    ui = await uiStack({ ssh: true });
    dir = mkdtempSync(join(tmpdir(), 'berth-ui-ssh-'));
    const ssh = (await ui.stack.api('GET', '/config')).body.ssh;
    const known = join(dir, 'known_hosts');
    // The host key as the server publishes it: strict checking, so a wrong key fails the test.
    writeFileSync(known, `[localhost]:${ssh.port} ${ssh.hostKey}\n[127.0.0.1]:${ssh.port} ${ssh.hostKey}\n`);
    opts = sshOptions(known, ['ConnectTimeout=10']);
    sb = await createSandbox(ui.stack, { name: 'ui-access', cpu: 0.5, memory: 0.5, autoStopInterval: 0 });
    context = await ui.context();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.base });
    ({ page, problems } = await watchedPage(context));
    await signIn(page, ui.base, ui.stack.key);
  });
  after(async () => {
    await ui?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a command the page shows (`ssh …`) exactly as shown, with this test's client options and `remote` appended. */
  const runShown = (shown: string, remote: string, extra: string[] = []) => {
    const words = shown.trim().split(/\s+/);
    assert.equal(words[0], 'ssh', shown);
    return run('ssh', [...opts, ...extra, ...words.slice(1), remote], { timeoutMs: 60_000 });
  };
  const clipboard = () => page.evaluate('navigator.clipboard.readText()') as Promise<string>;

  it('creates SSH access from the tab; the command it shows and copies runs in the sandbox', async () => {
    await exec(ui.stack, sb.id, 'echo made-by-the-test > /tmp/marker');
    await page.goto(`${ui.base}/sandboxes/${sb.id}/ssh`);
    await page.getByRole('button', { name: 'Create SSH access' }).click();
    const shown = (await page.getByLabel('SSH command', { exact: true }).first().textContent())!.trim();
    assert.match(shown, /^ssh -p \d+ [a-z0-9]{32}@localhost$/);
    await page.getByRole('button', { name: 'Copy SSH command', exact: true }).first().click();
    assert.equal(await clipboard(), shown);
    const r = await runShown(shown, 'echo from-ui-$((6*7)); cat /tmp/marker; whoami');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `from-ui-42\nmade-by-the-test\nberth\n`);
    await shot(page, 'sandbox-ssh');
  });

  it('revokes the access from the tab: the token stops working', async () => {
    const shown = (await page.getByLabel('SSH command', { exact: true }).first().textContent())!.trim();
    const token = /([a-z0-9]{32})@/.exec(shown)![1]!;
    await page.getByRole('button', { name: 'Revoke access', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Access revoked' }).waitFor();
    const r = await runShown(shown, 'true');
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Permission denied/);
    assert.deepEqual((await ui.stack.api('GET', `/sandbox/ssh-access/validate?token=${token}`)).body, {
      valid: false,
      sandboxId: '',
    });
  });

  it('"Revoke all access" ends tokens made elsewhere too', async () => {
    const other = (await ui.stack.api('POST', `/sandbox/${sb.id}/ssh-access?expiresInMinutes=5`)).body;
    await page.getByRole('button', { name: 'Revoke all access' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke all SSH access?' })
      .getByRole('button', { name: 'Revoke all' })
      .click();
    await page.getByRole('status').filter({ hasText: 'All access tokens' }).waitFor();
    assert.equal((await ui.stack.api('GET', `/sandbox/ssh-access/validate?token=${other.token}`)).body.valid, false);
  });

  it("adds a key on the SSH keys page; the people's-keys command on the SSH tab logs in with it", async () => {
    const key = await newKey(dir, 'ui-laptop');
    await page.getByRole('link', { name: 'SSH keys', exact: true }).first().click();
    await page.getByRole('heading', { name: 'SSH keys', level: 1 }).waitFor();
    await page.getByText('No SSH keys yet').waitFor();
    await page.getByLabel('Public key').fill(readFileSync(`${key}.pub`, 'utf8'));
    await page.getByLabel(/^Key name/).fill('ui-laptop');
    await page.getByRole('button', { name: 'Add key' }).click();
    const row = page.getByRole('table', { name: 'SSH keys' }).locator('tr', { hasText: 'ui-laptop' });
    await row.waitFor();
    const fp = (await run('ssh-keygen', ['-lf', `${key}.pub`])).stdout.split(' ')[1]!;
    await row.getByText(fp).waitFor();
    await shot(page, 'ssh-keys-added');

    await page.goto(`${ui.base}/sandboxes/${sb.id}/ssh`);
    const shown = (await page.getByLabel('SSH command with your key', { exact: true }).textContent())!.trim();
    const port = (await ui.stack.api('GET', '/config')).body.ssh.port;
    assert.equal(shown, `ssh -p ${port} ui-access@localhost`);
    await page.getByText('You have 1 SSH key registered').waitFor();
    const r = await runShown(shown, 'echo with-my-key', ['-i', key]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'with-my-key\n');

    await page.getByRole('link', { name: 'SSH keys', exact: true }).last().click();
    await page.getByRole('button', { name: 'Remove ui-laptop' }).click();
    await page
      .getByRole('dialog', { name: 'Remove SSH key ui-laptop?' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByText('No SSH keys yet').waitFor();
    const denied = await runShown(shown, 'true', ['-i', key]);
    assert.equal(denied.code, 255);
    assert.match(denied.stderr, /Permission denied/);
  });

  it('opens an app bound to 127.0.0.1 from the Ports tab in a new tab, and it keeps working as one clicks on', async () => {
    await exec(
      ui.stack,
      sb.id,
      [
        'mkdir -p ~/site && cd ~/site',
        'printf \'<!doctype html><title>UI preview</title><h1>Hello from the sandbox</h1><a href="page2.html">next page</a>\' > index.html',
        "printf '<!doctype html><title>Page two</title><h1>Second page</h1>' > page2.html",
        // The browser asks for it; the app answering 404 would be logged as a console error.
        'touch favicon.ico',
        'nohup python3 -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 &',
      ].join(' && '),
    );
    await page.goto(`${ui.base}/sandboxes/${sb.id}/ports`);
    const link = page.getByRole('link', { name: 'Open preview of port 8000' });
    for (let i = 0; i < 30 && !(await link.count()); i++) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(500);
    }
    const api = (await ui.stack.api('GET', `/sandbox/${sb.id}/ports/8000/preview-url`)).body;
    assert.equal(await link.textContent(), api.url);
    // The long-lived preview token is nowhere in the page: not in the link, not in any attribute.
    assert.ok(api.token && !(await page.content()).includes(api.token), 'the page HTML holds the preview token');
    const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await popup.getByRole('heading', { name: 'Hello from the sandbox' }).waitFor({ timeout: 20_000 });
    assert.equal(await popup.title(), 'UI preview');
    // The tab was opened on a short-lived signed URL, and the app cannot reach back into the UI.
    const opened = new URL(popup.url());
    assert.match(opened.host, new RegExp(`^8000-[a-z0-9]{32}\\.localhost:${ui.port}$`));
    assert.notEqual(opened.hostname, new URL(api.url).hostname, 'opened on the signed host');
    assert.ok(!popup.url().includes(api.token), popup.url());
    assert.equal(opened.searchParams.get('DAYTONA_SANDBOX_AUTH_KEY'), null);
    assert.equal(await popup.evaluate('window.opener === null'), true, 'the app cannot reach the UI window');
    assert.ok(!(await page.content()).includes(api.token), 'the page HTML holds the preview token after the click');
    // The proxy answered with its own cookie for that host; the next page needs nothing else.
    // The cookie ends with the signed URL (the signed host admits by its name until then):
    // the URL the tab was opened on lasts long enough to keep using the app.
    const cookies = await context.cookies(popup.url());
    const cookie = cookies.find((c) => c.name === 'berth_preview' && c.httpOnly);
    assert.ok(cookie, JSON.stringify(cookies.map((c) => c.name)));
    assert.ok(cookie.expires - Date.now() / 1000 > 50 * 60, `the preview session ends at ${cookie.expires}`);
    await popup.getByRole('link', { name: 'next page' }).click();
    await popup.getByRole('heading', { name: 'Second page' }).waitFor();
    assert.equal(new URL(popup.url()).search, '', "the token is not in the second page's address");
    await popup.close();
    await shot(page, 'sandbox-ports');
  });

  it('a signed link the tab makes and copies opens the app in a browser with no session at all', async () => {
    const port = page.locator('.port', { hasText: 'Port 8000' });
    await port.getByLabel('Signed link valid for (minutes)').fill('5');
    await page.getByRole('button', { name: 'Make signed link for port 8000' }).click();
    await page.getByRole('button', { name: 'Copy signed link for port 8000' }).click();
    const signed = (await port.locator('.signed code').textContent())!.trim();
    assert.equal(await clipboard(), signed);
    assert.match(signed, new RegExp(`^http://8000-[a-z0-9]{32}\\.localhost:${ui.port}`));
    const stranger = await ui.context();
    const { page: p, problems: seen } = await watchedPage(stranger);
    await p.goto(signed);
    await p.getByRole('heading', { name: 'Hello from the sandbox' }).waitFor({ timeout: 20_000 });
    await p.getByRole('link', { name: 'next page' }).click();
    await p.getByRole('heading', { name: 'Second page' }).waitFor();
    // The signed host is not the sandbox's own: the link opens that one port, nothing else.
    assert.deepEqual(seen.list, []);
    await stranger.close();
  });

  it("a public sandbox's link opens its plain URL, with no token or signed host", async () => {
    assert.equal((await ui.stack.api('POST', `/sandbox/${sb.id}/public/true`)).status, 200);
    await page.goto(`${ui.base}/sandboxes/${sb.id}/ports`);
    const link = page.getByRole('link', { name: 'Open preview of port 8000' });
    await link.waitFor();
    const plain = (await ui.stack.api('GET', `/sandbox/${sb.id}/ports/8000/preview-url`)).body.url;
    const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await popup.getByRole('heading', { name: 'Hello from the sandbox' }).waitFor({ timeout: 20_000 });
    assert.equal(popup.url(), new URL(plain).toString());
    await popup.close();
    assert.equal((await ui.stack.api('POST', `/sandbox/${sb.id}/public/false`)).status, 200);
  });

  it('showed no console error, page error or CSP violation', () => {
    assert.deepEqual(problems.list, []);
  });
});

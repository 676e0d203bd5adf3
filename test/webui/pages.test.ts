// Every page of the web UI with no data and with data, on a desktop and a
// phone screen, by keyboard, in light and dark; screenshots go to docs/ui/ with
// BERTH_UPDATE_SCREENSHOTS=1 (see helpers.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { newKey } from '../gateways/ssh-helpers.js';
import { shot, signIn, uiStack, watchedPage, type UiStack } from './helpers.js';
import type { Json } from '../helpers/json.js';

interface PageCase {
  nav: string;
  heading: string;
  /** What the page says when the organization has nothing of this kind. */
  empty?: string;
  seed?: (ui: UiStack) => Promise<unknown>;
  /** Text that must show once seeded. */
  shows: string;
  shotName: string;
}

const ok = (r: { status: number; body: unknown }) => {
  assert.ok(r.status >= 200 && r.status < 300, JSON.stringify(r.body));
  return r.body as Json;
};

/** A fresh public key in OpenSSH's one-line form. */
async function publicKey(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ui-pages-'));
  try {
    return readFileSync(`${await newKey(dir, 'pages')}.pub`, 'utf8').trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PAGES: PageCase[] = [
  {
    nav: 'Sandboxes',
    heading: 'Sandboxes',
    empty: 'No sandboxes yet',
    seed: async (ui) =>
      ok(await ui.stack.api('POST', '/sandbox', { name: 'pages-sb', cpu: 0.5, memory: 0.5, labels: { team: 'docs' } })),
    shows: 'pages-sb',
    shotName: 'sandboxes-list',
  },
  {
    nav: 'Snapshots',
    heading: 'Snapshots',
    seed: async (ui) =>
      ok(await ui.stack.api('POST', '/snapshots', { name: 'pages-snap', imageName: 'berth/sandbox-base:latest' })),
    shows: 'pages-snap',
    shotName: 'snapshots',
  },
  {
    nav: 'Registries',
    heading: 'Registries',
    empty: 'No registries yet',
    seed: async (ui) =>
      ok(
        await ui.stack.api('POST', '/docker-registry', {
          name: 'pages-registry',
          url: 'registry.example.test:5000',
          username: 'robot',
          password: 'never-shown-password',
        }),
      ),
    shows: 'pages-registry',
    shotName: 'registries',
  },
  {
    nav: 'Volumes',
    heading: 'Volumes',
    empty: 'No volumes yet',
    seed: async (ui) => ok(await ui.stack.api('POST', '/volumes', { name: 'pages-vol' })),
    shows: 'pages-vol',
    shotName: 'volumes',
  },
  {
    nav: 'API keys',
    heading: 'API keys',
    seed: async (ui) =>
      ok(await ui.stack.api('POST', '/api-keys', { name: 'pages-key', permissions: ['write:sandboxes'] })),
    shows: 'pages-key',
    shotName: 'api-keys',
  },
  {
    nav: 'Members',
    heading: 'Members',
    empty: 'No invitations.',
    seed: async (ui) =>
      ok(
        await ui.stack.api('POST', `/organizations/${ui.stack.organizationId}/invitations`, {
          email: 'invitee@example.test',
          role: 'member',
        }),
      ),
    shows: 'invitee@example.test',
    shotName: 'members',
  },
  {
    nav: 'Usage',
    heading: 'Usage',
    empty: 'No usage recorded yet',
    shows: 'CPU-minutes per sandbox',
    shotName: 'usage',
  },
  { nav: 'Audit log', heading: 'Audit log', shows: 'sandbox.create', shotName: 'audit-log' },
  {
    nav: 'Settings',
    heading: 'Settings',
    empty: 'No secrets yet.',
    seed: async (ui) =>
      ok(
        await ui.stack.api('POST', '/secret', {
          name: 'PAGES_SECRET',
          value: 'never-shown-value',
          description: 'for the docs',
        }),
      ),
    shows: 'PAGES_SECRET',
    shotName: 'settings',
  },
  {
    nav: 'SSH keys',
    heading: 'SSH keys',
    empty: 'No SSH keys yet',
    seed: async (ui) =>
      ok(await ui.stack.api('POST', '/users/me/ssh-keys', { publicKey: await publicKey(), name: 'pages-laptop' })),
    shows: 'pages-laptop',
    shotName: 'ssh-keys',
  },
];

describe('web UI: every page, empty and with data', () => {
  let ui: UiStack;
  let page: Page;
  let problems: { list: string[] };

  before(async () => {
    ui = await uiStack();
    ({ page, problems } = await watchedPage(await ui.context()));
    await page.addInitScript({
      content:
        "window.__cls = 0; new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; }).observe({ type: 'layout-shift', buffered: true });",
    });
    await signIn(page, ui.base, ui.stack.key);
  });
  after(async () => {
    await ui?.close();
  });

  const open = async (c: PageCase) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: c.nav, exact: true }).click();
    await page.getByRole('heading', { name: c.heading, exact: true, level: 1 }).waitFor();
    await page
      .locator('[aria-busy="true"]')
      .first()
      .waitFor({ state: 'detached', timeout: 10_000 })
      .catch(() => {});
  };

  for (const c of PAGES.filter((p) => p.empty)) {
    it(`${c.nav} teaches what to do when there is nothing yet`, async () => {
      await open(c);
      await page.getByText(c.empty!, { exact: false }).first().waitFor({ timeout: 10_000 });
      await shot(page, `empty-${c.shotName}`);
    });
  }

  it('Usage per day says when usage accrues while there is none', async () => {
    await open(PAGES.find((p) => p.nav === 'Usage')!);
    await page.getByText('No usage in the last 30 days').waitFor({ timeout: 10_000 });
  });

  it('the empty Sandboxes page offers the button and the SDK snippet with this server and no key', async () => {
    await open(PAGES[0]!);
    const snippet = await page.getByRole('region').or(page.locator('.empty')).locator('pre').first().textContent();
    assert.match(snippet!, new RegExp(`apiUrl: '${ui.base}/api'`));
    assert.ok(!snippet!.includes(ui.stack.key));
    await page.getByRole('button', { name: 'Create sandbox' }).waitFor();
  });

  it('seeds data through the API', async () => {
    for (const c of PAGES) await c.seed?.(ui);
  });

  for (const c of PAGES) {
    it(`${c.nav} shows its data`, async () => {
      await open(c);
      await page.getByText(c.shows, { exact: false }).first().waitFor({ timeout: 15_000 });
      await shot(page, c.shotName);
    });
  }

  it('Usage charts each UTC day, today with the sandboxes the API counts', async () => {
    await open(PAGES.find((p) => p.nav === 'Usage')!);
    const daily = (await ui.stack.api('GET', '/usage/daily?days=30')).body;
    const today = daily.days.at(-1);
    assert.ok(today.sandboxes >= 1, JSON.stringify(today));
    const bars = page.getByRole('img', { name: 'Sandboxes per day' }).locator('rect.bar');
    // A day with nothing draws a bar of no height (hidden to Playwright): attached is what counts.
    await bars.last().waitFor({ state: 'attached' });
    assert.equal(await bars.count(), 30);
    assert.equal(await bars.last().getAttribute('data-date'), today.date);
    assert.equal(Number(await bars.last().getAttribute('data-value')), today.sandboxes);
    await page.getByLabel('Range').selectOption('7');
    // A function, not a string: the page's CSP refuses string evaluation.
    const bars7 = () =>
      (globalThis as Json).document.querySelectorAll('svg[aria-label="Sandboxes per day"] rect.bar').length === 7;
    await page.waitForFunction(bars7, undefined, { timeout: 10_000 });
    assert.equal(await bars.last().getAttribute('data-date'), today.date);
  });

  it('creates an API key with permission checkboxes, shows its value once, and revokes it', async () => {
    await open(PAGES.find((p) => p.nav === 'API keys')!);
    await page.getByLabel('Key name').fill('ui-made');
    await page.getByRole('checkbox', { name: 'delete:sandboxes' }).uncheck();
    await page.getByRole('checkbox', { name: 'read:volumes' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const value = (await page
      .getByRole('dialog', { name: 'Your new API key' })
      .getByLabel('API key', { exact: true })
      .textContent())!.trim();
    await page.getByRole('button', { name: 'Copy API key' }).waitFor();
    const works = await ui.stack.api('GET', '/api-keys/current', undefined, { key: value });
    assert.equal(works.status, 200);
    assert.deepEqual(works.body.permissions.sort(), ['read:volumes', 'write:sandboxes']);
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByText(value).count(), 0, 'the value is shown once only');
    await page.getByRole('button', { name: 'Revoke ui-made' }).click();
    await page.getByRole('dialog', { name: 'Revoke ui-made?' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Revoke ui-made' }).waitFor({ state: 'detached' });
    assert.equal((await ui.stack.api('GET', '/sandbox', undefined, { key: value })).status, 401);
  });

  it('registers an image, creates a volume and saves the egress default and a secret from their forms', async () => {
    await open(PAGES.find((p) => p.nav === 'Snapshots')!);
    await page.getByLabel('Name', { exact: true }).fill('ui-snap');
    await page.getByLabel('Image', { exact: true }).fill('berth/sandbox-base:latest');
    await page.getByRole('button', { name: 'Register image' }).click();
    await page.getByRole('cell', { name: 'ui-snap', exact: true }).waitFor();
    await open(PAGES.find((p) => p.nav === 'Volumes')!);
    await page.getByLabel('Volume name').fill('ui-vol');
    await page.getByRole('button', { name: 'Create volume' }).click();
    await page.getByRole('cell', { name: 'ui-vol', exact: true }).waitFor();
    await open(PAGES.find((p) => p.nav === 'Settings')!);
    await page.getByRole('radio', { name: 'Block all' }).check();
    await page.getByRole('button', { name: 'Save egress default' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    assert.equal(
      (await ui.stack.api('GET', `/organizations/${ui.stack.organizationId}/defaults`)).body.networkBlockAll,
      true,
    );
    await page.getByRole('radio', { name: /Internet allowed/ }).check();
    await page.getByRole('button', { name: 'Save egress default' }).click();
    await page.waitForTimeout(300);
    assert.equal(
      (await ui.stack.api('GET', `/organizations/${ui.stack.organizationId}/defaults`)).body.networkBlockAll,
      null,
    );
    await page.getByLabel('Secret name').fill('UI_SECRET');
    await page.getByLabel('Value', { exact: true }).fill('ui-secret-value');
    await page.getByRole('button', { name: 'Add secret' }).click();
    await page.getByRole('cell', { name: 'UI_SECRET', exact: true }).waitFor();
    assert.ok(!(await page.content()).includes('ui-secret-value'));
  });

  it('exports the audit log as CSV', async () => {
    await open(PAGES.find((p) => p.nav === 'Audit log')!);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const path = await download.path();
    const csv = readFileSync(path!, 'utf8');
    assert.match(csv.split('\r\n')[0]!, /^createdAt,actor,action,/);
    assert.ok(csv.includes('"sandbox.create"') && csv.includes('"volume.create"'), csv.slice(0, 500));
  });

  it('switches between organizations', async () => {
    const org = (await ui.stack.api('POST', '/organizations', { name: 'Second org' })).body;
    await page.goto(`${ui.base}/sandboxes`);
    await page.getByRole('link', { name: 'pages-sb' }).waitFor();
    await page.getByLabel('Organization').selectOption(org.id);
    await page.getByText('No sandboxes yet').waitFor();
    await page.getByLabel('Organization').selectOption(ui.stack.organizationId);
    await page.getByRole('link', { name: 'pages-sb' }).waitFor();
  });

  it('never shows a secret value after it is set', async () => {
    await open(PAGES.find((p) => p.nav === 'Settings')!);
    assert.equal(await page.getByText('never-shown-value').count(), 0);
    assert.ok(!(await page.content()).includes('never-shown-value'));
  });

  it('shows times relative, with the absolute time on hover', async () => {
    await open(PAGES[0]!);
    const t = page.locator('table[aria-label="Sandboxes"] time').first();
    assert.match((await t.textContent())!, /ago|now|second|minute/);
    assert.ok(((await t.getAttribute('title')) ?? '').length > 5);
  });

  it('does not jump while data loads (cumulative layout shift under 0.1)', async () => {
    await page.goto(`${ui.base}/sandboxes`);
    await page.getByRole('link', { name: 'pages-sb' }).waitFor();
    await page.waitForTimeout(300);
    const cls = (await page.evaluate('window.__cls')) as number;
    assert.ok(cls < 0.1, `layout shift ${cls}`);
  });

  it('the Connect panel has SDK, MCP (HTTP and stdio) and CLI snippets for this server, never a key', async () => {
    await page.getByRole('button', { name: 'Connect' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect' });
    for (const label of ['SDK example', 'MCP HTTP config', 'MCP stdio config', 'CLI commands'])
      await dialog.getByLabel(label, { exact: true }).waitFor();
    const text = (await dialog.textContent())!;
    assert.ok(text.includes(`${ui.base}/mcp`) && text.includes(`${ui.base}/api`));
    assert.ok(!text.includes(ui.stack.key));
    // The URLs in the snippets answer.
    assert.equal((await fetch(`${ui.base}/api/config`)).status, 200);
    await shot(page, 'connect');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('is usable by keyboard with a visible focus', async () => {
    await page.goto(`${ui.base}/sandboxes`);
    await page.getByRole('link', { name: 'pages-sb' }).waitFor();
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.keyboard.press('Tab');
      found =
        (await page.evaluate('document.activeElement && document.activeElement.textContent')) === 'Create sandbox';
    }
    assert.ok(found, 'Tab never reached "Create sandbox"');
    const outline = (await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')) as string;
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Create sandbox' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Create sandbox' }).waitFor({ state: 'hidden' });
  });

  it('fits a 390×844 phone screen, with the navigation behind a menu button', async () => {
    const { page: phone, problems: p2 } = await watchedPage(await ui.context({ width: 390, height: 844 }), problems);
    assert.equal(p2, problems);
    await signIn(phone, ui.base, ui.stack.key);
    await phone.getByRole('link', { name: 'pages-sb' }).waitFor();
    assert.ok(((await phone.evaluate('document.documentElement.scrollWidth')) as number) <= 390);
    await shot(phone, 'phone-sandboxes');
    await phone.getByRole('button', { name: 'Menu' }).click();
    await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Volumes' }).click();
    await phone.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
    assert.ok(((await phone.evaluate('document.documentElement.scrollWidth')) as number) <= 390);
    await phone.getByRole('button', { name: 'Menu' }).click();
    await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sandboxes' }).click();
    await phone.getByRole('link', { name: 'pages-sb' }).click();
    await phone.getByRole('tab', { name: 'Overview' }).waitFor();
    assert.ok(((await phone.evaluate('document.documentElement.scrollWidth')) as number) <= 390);
    await shot(phone, 'phone-sandbox');
  });

  it('follows the system dark preference', async () => {
    const dark = await ui.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    try {
      const { page: p } = await watchedPage(dark, problems);
      await signIn(p, ui.base, ui.stack.key);
      await p.getByRole('link', { name: 'pages-sb' }).waitFor();
      const bg = (await p.evaluate('getComputedStyle(document.body).backgroundColor')) as string;
      const [r, g, b] = bg.match(/\d+/g)!.map(Number);
      assert.ok(r! + g! + b! < 150, `background ${bg} is not dark`);
      await shot(p, 'sandboxes-dark');
    } finally {
      await dark.close();
    }
  });

  it('showed no console error, page error or CSP violation', () => {
    assert.deepEqual(problems.list, []);
  });
});

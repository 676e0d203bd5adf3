// Browser tests of the web UI: a real Berth server (real Docker) per file and
// Debian's Chromium driven by playwright-core. Every page records its console
// errors, uncaught errors and Content-Security-Policy violations, so a test
// can assert there were none.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type Stack, type StackOptions } from '../helpers/stack.js';
import { freePort } from '../helpers/free-port.js';

export const CHROMIUM = '/usr/bin/chromium';
/**
 * Where screenshots go: docs/ui/ (the README shows them) only with BERTH_UPDATE_SCREENSHOTS=1, else
 * $TMPDIR/berth-ui-shots/ (overwritten by each run), so `npm test` leaves the tree clean. They are taken
 * either way: a page that cannot be drawn still fails.
 */
export const SHOTS =
  process.env.BERTH_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/ui/', import.meta.url))
    : `${join(tmpdir(), 'berth-ui-shots')}/`;

export interface UiStack {
  stack: Stack;
  /** http://localhost:PORT — the UI's own origin (cookies are host-only on `localhost`). */
  base: string;
  port: number;
  browser: Browser;
  /** A fresh browser profile (own cookies) with problem recording. */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export interface Problems {
  list: string[];
}

export async function uiStack(o: StackOptions = {}): Promise<UiStack> {
  const port = await freePort();
  const stack = await startStack({
    ...o,
    config: { port, publicUrl: `http://localhost:${port}`, rateLimitCreate: 0, ...o.config },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const contexts: BrowserContext[] = [];
  return {
    stack,
    base: `http://localhost:${port}`,
    port,
    browser,
    async context(viewport = { width: 1280, height: 800 }) {
      const c = await browser.newContext({ viewport });
      contexts.push(c);
      return c;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await stack.close();
    },
  };
}

/** Opens a page that records console errors, page errors and CSP violations into `problems.list`. */
export async function watchedPage(
  context: BrowserContext,
  problems: Problems = { list: [] },
): Promise<{ page: Page; problems: Problems }> {
  const page = await context.newPage();
  await page.exposeBinding('__cspViolation', (_src, v: string) => void problems.list.push(`CSP: ${v}`));
  // Runs in the page (a string: these tests compile without the DOM's types).
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));",
  });
  page.on('console', (m) => {
    // Docker adds and removes host interfaces as sandboxes start and stop; Chromium then cuts in-flight
    // requests short with ERR_NETWORK_CHANGED and logs it. That is the host, not the page; the page must
    // recover (the steps that follow show it does).
    if (m.type() === 'error' && !m.text().includes('ERR_NETWORK_CHANGED'))
      problems.list.push(`console: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
  });
  page.on('pageerror', (e) => problems.list.push(`page error: ${e.message}`));
  // The same host noise can abort a navigation the test starts; a person would load the page again.
  const goto = page.goto.bind(page);
  page.goto = async (url, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await goto(url, options);
      } catch (e) {
        if (attempt >= 3 || !String((e as Error).message).includes('ERR_NETWORK_CHANGED')) throw e;
      }
    }
  };
  return { page, problems };
}

export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sandboxes', exact: true }).waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png` });
}

/** The session cookie of a browser context (as the browser stores it). */
export async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((c) => c.name === 'berth_session');
}

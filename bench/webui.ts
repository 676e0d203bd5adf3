// The web UI's speed in Debian's Chromium against a real server on
// localhost: first load to interactive (cold browser cache, signed in), the
// Sandboxes page rendering with 1,000 sandboxes in the organization, and the
// terminal's keystroke echo round trip. Run: npm run bench -- --only=webui
// (BENCH_LOADS page loads, default 10; BENCH_KEYS keystrokes, default 100).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { openStore } from '../orchestrator/store/db.js';
import { spawnServer } from '../test/helpers/server-process.js';
import { freePort } from '../test/helpers/free-port.js';
import { removeRunnerContainers } from '../test/helpers/docker.js';
import { fmtMs, percentile } from './stats.js';
import type { Json } from '../test/helpers/json.js';

const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const KEYS = Number(process.env.BENCH_KEYS ?? 100);
const MANY = 1000;

/** Page script: records in window.__ready the time (ms since navigation start) `selector` first matches. */
const READY_WHEN = (selector: string) =>
  `new MutationObserver((_, o) => { if (!window.__ready && document.querySelector('${selector}')) { window.__ready = performance.now(); o.disconnect(); } }).observe(document, { subtree: true, childList: true });`;

const line = (what: string, xs: number[], target: string) =>
  process.stdout.write(
    `${what.padEnd(52)} p50 ${fmtMs(percentile(xs, 50)).padStart(9)}  p90 ${fmtMs(percentile(xs, 90)).padStart(9)}  (n=${xs.length}; target ${target})\n`,
  );

async function main() {
  // The server runs as its own process, as in production (the bench's own event loop drives the browser).
  const home = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const runnerId = `bench-${randomBytes(3).toString('hex')}`;
  const key = `berth_bench_${randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const server = await spawnServer(
    {
      BERTH_HOME: home,
      BERTH_RUNNER_ID: runnerId,
      BERTH_ADMIN_API_KEY: key,
      BERTH_LOG_LEVEL: 'warn',
      BERTH_PUBLIC_URL: base,
      BERTH_RATE_LIMIT_CREATE: '0',
      BERTH_RATE_LIMIT_AUTHENTICATED: '0',
      BERTH_RATE_LIMIT_ANONYMOUS: '0',
    },
    port,
  );
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const j = (await r.json()) as Json;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
  // The bench (not the UI) writes the 1,000 rows straight into the server's store.
  const store = await openStore({ sqlitePath: join(home, 'berth.sqlite') });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const inserted: string[] = [];
  try {
    // One session cookie for every fresh browser profile (a fresh profile = a cold cache).
    const signIn = await fetch(`${base}/api/ui/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, 'x-berth-csrf': '1' },
      body: JSON.stringify({ apiKey: key }),
    });
    const token = /berth_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!;
    const fresh = async (): Promise<BrowserContext> => {
      const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await c.addCookies([
        { name: 'berth_session', value: token, domain: 'localhost', path: '/', httpOnly: true, sameSite: 'Strict' },
      ]);
      return c;
    };

    const sb = await api('POST', '/sandbox', { name: 'bench-ui', cpu: 1, memory: 1, autoStopInterval: 0 });
    const organizationId = sb.organizationId as string;

    // The machine's own floor, same run: a fresh profile loading a one-line page from a bare Node server (timed the same way).
    const floor: number[] = [];
    const bare = http.createServer((_q, r) => r.end('<!doctype html><title>x</title><a href="#">ready</a>'));
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
    for (let i = 0; i < LOADS; i++) {
      const c = await browser.newContext();
      const page = await c.newPage();
      await page.addInitScript({ content: READY_WHEN('a[href="#"]') });
      await page.goto(`http://localhost:${(bare.address() as AddressInfo).port}/`);
      await page.locator('a[href="#"]').waitFor();
      floor.push((await page.evaluate('window.__ready')) as number);
      await c.close();
    }
    bare.close();

    // First load to interactive: navigation start → the signed-in Sandboxes table is on screen and answers clicks.
    const first: number[] = [];
    // Timed inside the page (from its navigation start), so the driver's own round trips do not count.
    for (let i = 0; i < LOADS; i++) {
      const c = await fresh();
      const page = await c.newPage();
      await page.addInitScript({ content: READY_WHEN('a[href^="/sandboxes/"]') });
      await page.goto(`${base}/sandboxes`);
      // A plain CSS wait: role queries poll the page's main thread hard enough to slow what is timed.
      await page
        .locator('a[href^="/sandboxes/"]')
        .first()
        .waitFor({ timeout: 15_000 })
        .catch(async (e) => {
          await page.screenshot({ path: join(tmpdir(), 'berth-bench-webui-first-load.png') });
          throw e;
        });
      first.push((await page.evaluate('window.__ready')) as number);
      await c.close();
    }

    // 1,000 sandboxes, inserted through the store (the UI reads them through the public API).
    const now = Date.now();
    const rows = Array.from({ length: MANY }, (_, i) => {
      const id = randomUUID();
      inserted.push(id);
      return {
        id,
        organization_id: organizationId,
        name: `bulk-${String(i).padStart(4, '0')}`,
        runner_id: runnerId,
        image: 'berth/sandbox-base:latest',
        snapshot: null,
        os_user: null,
        env: '{}',
        cpu: 1,
        gpu: 0,
        memory: 1,
        disk: 3,
        public: false,
        network_block_all: false,
        network_allow_list: null,
        domain_allow_list: null,
        secrets: null,
        runtime: 'runc',
        target: 'local',
        state: 'stopped',
        desired_state: 'stopped',
        error_reason: null,
        recoverable: false,
        auto_stop_interval: 15,
        auto_archive_interval: 10080,
        auto_delete_interval: -1,
        image_config: null,
        build_info: null,
        volumes: '[]',
        fence: 0,
        created_at: now - i * 1000,
        updated_at: now,
        state_updated_at: now,
        last_activity_at: now - i * 1000,
      };
    });
    for (let i = 0; i < rows.length; i += 100) await store.knex('sandboxes').insert(rows.slice(i, i + 100));
    await store
      .knex('sandbox_labels')
      .insert(inserted.slice(0, 500).map((id) => ({ sandbox_id: id, key: 'team', value: 'bench' })));

    // What the API alone takes for that page (the render below includes it).
    const listApi: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const t0 = performance.now();
      await api('GET', '/sandbox?limit=50&sort=createdAt&order=desc');
      listApi.push(performance.now() - t0);
    }

    // Sandboxes page render: from the click on its nav link to the first page of rows on screen.
    const render: number[] = [];
    {
      const c = await fresh();
      const page = await c.newPage();
      await page.goto(`${base}/volumes`);
      await page.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
      for (let i = 0; i < LOADS; i++) {
        // The click and the wait for the rows happen inside the page.
        render.push(
          (await page.evaluate(`new Promise((resolve) => {
            const t0 = performance.now();
            const done = () => { if (document.body.textContent.includes('of ${(MANY + 1).toLocaleString('en-US')}')) { obs.disconnect(); resolve(performance.now() - t0); } };
            const obs = new MutationObserver(done);
            obs.observe(document.body, { subtree: true, childList: true, characterData: true });
            [...document.querySelectorAll('nav#nav a')].find((a) => a.textContent === 'Sandboxes').click();
          })`)) as number,
        );
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Volumes' }).click();
        await page.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
      }
      await c.close();
    }

    // Keystroke echo: from the keystroke's frame leaving the page to the echo arriving, timed inside the page.
    const echo: number[] = [];
    {
      const c = await fresh();
      const page = await c.newPage();
      await page.addInitScript({
        content: `window.__echo = []; const send = WebSocket.prototype.send; WebSocket.prototype.send = function (d) {
          if (this.url.includes('/process/pty/') && !this.__timed) { this.__timed = true; this.addEventListener('message', () => { if (window.__sent) { window.__echo.push(performance.now() - window.__sent); window.__sent = 0; } }); }
          if (this.url.includes('/process/pty/')) window.__sent = performance.now();
          return send.call(this, d);
        };`,
      });
      await page.goto(`${base}/sandboxes/${sb.id}/terminal`);
      await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
      await page.locator('.term-box').click();
      await page.waitForTimeout(500);
      await page.evaluate('window.__echo = []');
      for (let i = 0; i < KEYS; i++) {
        await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
        await page.waitForFunction(() => (globalThis as Json).__sent === 0, undefined, { timeout: 5000 });
      }
      echo.push(...((await page.evaluate('window.__echo')) as number[]));
      await c.close();
    }

    process.stdout.write(
      `\nweb UI on ${base} (Chromium ${browser.version()}, 1280×800; load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${cpus().length} cores)\n`,
    );
    line('floor: a one-line page, fresh profile, bare server', floor, '—');
    line('first load to interactive (cold cache, signed in)', first, '≤ 1000 ms');
    line(`API alone: first page of ${MANY.toLocaleString('en-US')} sandboxes`, listApi, '—');
    line(`Sandboxes page render, ${MANY.toLocaleString('en-US')} sandboxes`, render, '≤ 300 ms');
    line('terminal keystroke echo round trip', echo, 'p50 ≤ 30 ms');
  } finally {
    await browser.close();
    await store
      .knex('sandboxes')
      .whereIn('id', inserted)
      .delete()
      .catch(() => {});
    await store.close();
    await server.kill('SIGTERM');
    await removeRunnerContainers(runnerId);
    rmSync(home, { recursive: true, force: true });
  }
}

await main();

// The one-time web UI sign-in link printed at first start (as Jupyter does):
// opened as printed, it signs the admin in; a second use is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { bootServer, type BootedServer } from '../../boot/server.js';
import { createLogger } from '../../common/log.js';
import { removeRunnerContainers } from '../helpers/docker.js';
import { testRunnerId } from '../helpers/runner-id.js';
import { freePort } from '../helpers/free-port.js';
import { CHROMIUM, watchedPage } from './helpers.js';

describe('web UI: the sign-in link printed at first start', () => {
  let server: BootedServer;
  let browser: Browser;
  let printed = '';
  const home = mkdtempSync(join(tmpdir(), 'berth-test-'));
  const runnerId = testRunnerId();

  before(async () => {
    const port = await freePort();
    // No BERTH_ADMIN_API_KEY: a first start that makes the admin key and prints it.
    server = await bootServer({
      env: {
        BERTH_HOME: home,
        BERTH_RUNNER_ID: runnerId,
        PORT: String(port),
        BERTH_NETNS_POOL: '0',
        BERTH_LOG_LEVEL: 'warn',
      },
      config: { sweepSeconds: 3600 },
      background: false,
      writeCliConfig: false,
      log: createLogger({ level: 'warn' }),
      announce: (t) => (printed += t),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await removeRunnerContainers(runnerId);
    rmSync(home, { recursive: true, force: true });
  });

  it('prints a link to this server with a one-time token', () => {
    assert.match(printed, /Web UI \(this sign-in link works once, for 24 hours\)/);
    assert.match(printed, new RegExp(`http://localhost:${server.http.port()}/#signin=[\\w-]{20,}`));
  });

  it('signs in with one click, exactly as printed, and takes the token out of the address bar', async () => {
    const link = /(http:\/\/\S+#signin=[\w-]+)/.exec(printed)![1]!;
    const { page, problems } = await watchedPage(await browser.newContext());
    await page.goto(link);
    await page.getByRole('heading', { name: 'Sandboxes', exact: true }).waitFor();
    assert.ok(!page.url().includes('signin'), page.url());
    assert.ok((await page.textContent('header'))!.includes('admin@localhost'));
    assert.deepEqual(problems.list, []);
  });

  it('refuses a second use of the same link', async () => {
    const link = /(http:\/\/\S+#signin=[\w-]+)/.exec(printed)![1]!;
    const { page } = await watchedPage(await browser.newContext());
    await page.goto(link);
    await page.getByText('this sign-in link was already used or has expired').waitFor();
    await page.getByLabel('API key').waitFor();
  });
});

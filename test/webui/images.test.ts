// Images in the web UI against a real server and Docker: a snapshot built
// from a Dockerfile in the browser with its log followed live (ending active,
// or build_failed with its reason), and the Registries page (add, edit,
// remove; the password never shown; a bad address shows message and hint).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createSandbox, exec } from '../helpers/stack.js';
import { shot, signIn, uiStack, watchedPage, type Problems, type UiStack } from './helpers.js';

const BASE = 'berth/sandbox-base:latest';
const PASSWORD = 'registry-password-never-shown';

describe('web UI: snapshot builds and registries', () => {
  let ui: UiStack;
  let page: Page;
  let problems: Problems;

  before(async () => {
    ui = await uiStack();
    ({ page, problems } = await watchedPage(await ui.context()));
    await signIn(page, ui.base, ui.stack.key);
  });
  after(async () => {
    // Built images go with their snapshots.
    for (const name of ['ui-built', 'ui-broken']) {
      const s = await ui?.stack.api('GET', `/snapshots/${name}`);
      if (s?.status === 200) await ui.stack.api('DELETE', `/snapshots/${s.body.id}`);
    }
    await ui?.close();
  });

  const openNav = async (name: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name, exact: true, level: 1 }).waitFor();
  };

  const build = async (name: string, dockerfile: string) => {
    await openNav('Snapshots');
    await page.getByRole('button', { name: 'Build from a Dockerfile' }).click();
    const dialog = page.getByRole('dialog', { name: 'Build a snapshot' });
    await dialog.getByLabel('Snapshot name').fill(name);
    await dialog.getByLabel('Dockerfile').fill(dockerfile);
    await dialog.getByRole('button', { name: 'Build', exact: true }).click();
    const log = page.getByRole('dialog', { name: `Build of ${name}` });
    await log.waitFor();
    return log;
  };

  it('builds a snapshot from a Dockerfile; the log streams while it builds and it ends active', async () => {
    // The step waits between its two lines, so the first must show while the build still runs. (printf: the
    // builder echoes the RUN line itself, which holds neither line's text.)
    const log = await build(
      'ui-built',
      `FROM ${BASE}\nRUN printf 'early-%s\\n' output && sleep 4 && printf 'late-%s\\n' output | tee /home/berth/built-by-ui\n`,
    );
    const text = log.getByRole('log', { name: 'Build log' });
    await text.getByText('early-output').waitFor({ timeout: 60_000 });
    const midway = await ui.stack.api('GET', '/snapshots/ui-built');
    assert.ok(
      ['pending', 'building'].includes(midway.body.state),
      `still building when the first line showed: ${midway.body.state}`,
    );
    assert.equal(
      (await text.textContent())!.includes('late-output'),
      false,
      'the later line is not there yet: the log streams',
    );
    await log.getByRole('status').filter({ hasText: 'Build finished' }).waitFor({ timeout: 120_000 });
    assert.match((await text.textContent())!, /late-output/);
    await log.locator('[data-state="active"]').waitFor();
    assert.equal((await ui.stack.api('GET', '/snapshots/ui-built')).body.state, 'active');
    await shot(page, 'snapshot-build');
    await log.getByRole('button', { name: 'Done' }).click();
    // The list shows it active, with its log one click away.
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'ui-built', exact: true }) });
    await row.locator('[data-state="active"]').waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'Build log of ui-built' }).click();
    await page.getByRole('dialog', { name: 'Build of ui-built' }).getByText('late-output').waitFor({ timeout: 10_000 });
    await page.getByRole('dialog', { name: 'Build of ui-built' }).getByRole('button', { name: 'Done' }).click();
  });

  it('a sandbox starts from the built snapshot', async () => {
    const sb = await createSandbox(ui.stack, { snapshot: 'ui-built', cpu: 0.5, memory: 0.5 });
    assert.equal((await exec(ui.stack, sb.id, 'cat /home/berth/built-by-ui')).result.trim(), 'late-output');
    assert.equal((await ui.stack.api('DELETE', `/sandbox/${sb.id}`)).status, 200);
  });

  it('a failing build ends build_failed and the dialog shows its reason', async () => {
    const log = await build('ui-broken', `FROM ${BASE}\nRUN printf 'about-to-%s\\n' fail && exit 3\n`);
    await log.getByRole('status').filter({ hasText: 'Build failed' }).waitFor({ timeout: 120_000 });
    const snap = (await ui.stack.api('GET', '/snapshots/ui-broken')).body;
    assert.equal(snap.state, 'build_failed');
    await log.getByRole('alert').getByText(snap.errorReason, { exact: true }).waitFor();
    assert.match(snap.errorReason, /exit code 3/);
    assert.match((await log.getByRole('log', { name: 'Build log' }).textContent())!, /about-to-fail/);
    await log.getByRole('button', { name: 'Done' }).click();
  });

  it('adds a registry; its password is never shown again', async () => {
    await openNav('Registries');
    await page.getByText('No registries yet').waitFor();
    const form = page.getByRole('form', { name: 'Add a registry' });
    await form.getByLabel('Registry name').fill('ui-registry');
    await form.getByLabel('Registry URL').fill('registry.example.test:5000');
    await form.getByLabel('Username').fill('robot');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Add registry' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'ui-registry', exact: true }) });
    await row.getByRole('cell', { name: 'registry.example.test:5000' }).waitFor();
    assert.equal(await form.getByLabel('Password').inputValue(), '', 'the form forgets the password');
    assert.ok(!(await page.content()).includes(PASSWORD));
    const api = (await ui.stack.api('GET', '/docker-registry')).body;
    assert.deepEqual(
      api.map((r: { name: string; username: string }) => [r.name, r.username]),
      [['ui-registry', 'robot']],
    );
    assert.ok(!JSON.stringify(api).includes(PASSWORD));
    await shot(page, 'registry-added');
  });

  it('edits a registry, keeping the password when the field stays empty', async () => {
    await page.getByRole('button', { name: 'Edit ui-registry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit registry ui-registry' });
    assert.equal(await dialog.getByLabel(/password/i).inputValue(), '', 'the password is never filled in');
    await dialog.getByLabel('Username').fill('robot-2');
    await dialog.getByRole('button', { name: 'Save registry' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'robot-2', exact: true }).waitFor();
    assert.equal((await ui.stack.api('GET', '/docker-registry/ui-registry')).body.username, 'robot-2');
  });

  it("a bad registry address shows the API's message and hint, and nothing is added", async () => {
    // Its own page: the browser logs the refused request as a console error, on purpose here.
    const { page: p, problems: own } = await watchedPage(await ui.context());
    await signIn(p, ui.base, ui.stack.key);
    await p.goto(`${ui.base}/registries`);
    const form = p.getByRole('form', { name: 'Add a registry' });
    await form.getByLabel('Registry name').fill('ui-bad');
    await form.getByLabel('Registry URL').fill('https://registry.example.test/some/path');
    await form.getByLabel('Username').fill('robot');
    await form.getByLabel('Password').fill('x');
    await form.getByRole('button', { name: 'Add registry' }).click();
    const r = await ui.stack.api('POST', '/docker-registry', {
      name: 'ui-bad',
      url: 'https://registry.example.test/some/path',
      username: 'robot',
      password: 'x',
    });
    assert.equal(r.status, 400);
    const alert = form.getByRole('alert');
    await alert.getByText(r.body.message).waitFor();
    await alert.getByText(r.body.hint).waitFor();
    assert.equal((await ui.stack.api('GET', '/docker-registry')).body.length, 1);
    assert.ok(
      own.list.every((m) => m.includes('status of 400')),
      JSON.stringify(own.list),
    );
    await p.close();
  });

  it('removes a registry after asking', async () => {
    await page.getByRole('button', { name: 'Remove ui-registry' }).click();
    await page
      .getByRole('dialog', { name: 'Remove registry ui-registry?' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByText('No registries yet').waitFor();
    assert.deepEqual((await ui.stack.api('GET', '/docker-registry')).body, []);
  });

  it('showed no console error, page error or CSP violation', () => {
    assert.deepEqual(problems.list, []);
  });
});

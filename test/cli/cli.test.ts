// The `berth` command line, spawned as a binary against a real server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../helpers/stack.js';
import { removeRunnerContainers, runnerHolders } from '../helpers/docker.js';
import { testRunnerId } from '../helpers/runner-id.js';

const BIN = fileURLToPath(new URL('../../../bin/berth.js', import.meta.url));

describe('berth CLI', () => {
  let stack: Stack;
  let cfgDir: string;
  // Asynchronous on purpose: the server under test runs in this process's event loop.
  const run = (args: string[], env: Record<string, string> = {}, timeoutMs = 120_000) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: {
          ...process.env,
          BERTH_API_URL: stack.apiUrl,
          BERTH_API_KEY: stack.key,
          BERTH_CONFIG: join(cfgDir, 'cli.json'),
          ...env,
        },
        timeout: timeoutMs,
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });
  before(async () => {
    stack = await startStack();
    cfgDir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  });
  after(async () => {
    await stack?.close();
    rmSync(cfgDir, { recursive: true, force: true });
  });

  it('creates, lists, shows, execs, stops, starts and deletes a sandbox', async () => {
    const created = await run([
      'sandbox',
      'create',
      '--name',
      'cli-one',
      '--cpu',
      '1',
      '--memory',
      '1',
      '--disk',
      '1',
      '--label',
      'team=cli',
      '--env',
      'X=42',
      '--json',
    ]);
    assert.equal(created.code, 0, created.err);
    const s = JSON.parse(created.out);
    assert.equal(s.state, 'started');

    const table = await run(['sandbox', 'list']);
    assert.equal(table.code, 0);
    assert.match(table.out, /^ID\s+NAME\s+STATE/m);
    assert.match(table.out, /cli-one\s+started/);
    const json = JSON.parse((await run(['sandbox', 'list', '--label', 'team=cli', '--json'])).out);
    assert.deepEqual(
      json.map((x: { name: string }) => x.name),
      ['cli-one'],
    );
    assert.deepEqual(JSON.parse((await run(['sandbox', 'list', '--label', 'team=none', '--json'])).out), []);

    assert.match((await run(['sandbox', 'info', 'cli-one'])).out, /cli-one\s+started/);

    const ok = await run(['sandbox', 'exec', 'cli-one', '--', 'echo $X']);
    assert.equal(ok.code, 0);
    assert.equal(ok.out, '42\n');
    const failing = await run(['sandbox', 'exec', 'cli-one', '--', 'echo oops >&2; exit 7']);
    assert.equal(failing.code, 7, 'the exit code of the command is the exit code of the CLI');
    assert.equal(failing.err, 'oops\n');

    assert.match((await run(['sandbox', 'stop', 'cli-one'])).out, /stopped/);
    assert.match((await run(['sandbox', 'start', 'cli-one'])).out, /started/);
    assert.equal((await run(['sandbox', 'delete', 'cli-one'])).code, 0);
    assert.deepEqual(JSON.parse((await run(['sandbox', 'list', '--json'])).out), []);
  });

  it('fails with a message, a hint and a mapped exit code', async () => {
    const missing = await run(['sandbox', 'info', 'nope']);
    assert.equal(missing.code, 4);
    assert.match(missing.err, /berth: sandbox nope not found\nhint: /);
    const badKey = await run(['sandbox', 'list'], { BERTH_API_KEY: 'berth_wrong_key_wrong_key_wrong' });
    assert.equal(badKey.code, 3);
    const down = await run(['sandbox', 'list'], { BERTH_API_URL: 'http://127.0.0.1:9/api' });
    assert.equal(down.code, 6);
    assert.match(down.err, /cannot reach the Berth server[\s\S]*hint: start it with `npx berth up`/);
    const bad = await run(['sandbox', 'create', '--cpu', 'lots']);
    assert.equal(bad.code, 2);
  });

  it('logs in (checking the key) and then works from the config file alone', async () => {
    const bad = await run(['login', '--api-url', stack.apiUrl, '--api-key', 'berth_wrong_key_wrong_key_wrong']);
    assert.equal(bad.code, 3);
    const good = await run(['login', '--api-url', stack.apiUrl, '--api-key', stack.key]);
    assert.equal(good.code, 0, good.err);
    const saved = JSON.parse(readFileSync(join(cfgDir, 'cli.json'), 'utf8'));
    assert.equal(saved.apiKey, stack.key);
    const fromFile = await run(['sandbox', 'list', '--json'], { BERTH_API_URL: '', BERTH_API_KEY: '' });
    assert.equal(fromFile.code, 0, fromFile.err);
  });

  it('prints its version, help with examples, and a completion script', async () => {
    assert.match((await run(['version'])).out, /^berth \d+\.\d+\.\d+/);
    const help = await run(['sandbox', 'create', '--help']);
    assert.match(help.out, /Examples[\s\S]*sandbox create --name demo/);
    assert.match((await run(['autocomplete'])).out, /complete -F _berth_complete berth/);
  });

  it('`berth serve` on a port in use stops at once with the reason and a hint (nothing it opened keeps it running)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-busy-'));
    const runnerId = testRunnerId();
    try {
      const port = new URL(stack.url).port;
      const r = await run(
        ['serve'],
        {
          BERTH_HOME: home,
          PORT: port,
          BERTH_SSH_PORT: '0',
          BERTH_RUNNER_ID: runnerId,
          BERTH_NETNS_POOL: '1',
          BERTH_WARM_POOL: '0',
          BERTH_CONFIG: join(home, 'cli.json'),
        },
        60_000,
      );
      assert.equal(r.code, 5, `exit code (null: still running after 60 s, killed)\n${r.err}`);
      assert.match(r.err, new RegExp(`berth: port ${port} on 127\\.0\\.0\\.1 is already in use\nhint: .*PORT`));
      assert.deepEqual(
        await runnerHolders(runnerId),
        [],
        'the network namespaces it made ahead of time are gone with it',
      );
    } finally {
      await removeRunnerContainers(runnerId);
      rmSync(home, { recursive: true, force: true });
    }
  });
});

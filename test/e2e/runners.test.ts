// Remote runners, stage 1: an admin registers a runner, a real `berth runner`
// process dials the API and shows up `ready` with this host's engine capacity;
// drain/enable change its state; killed, it turns `unreachable` after
// BERTH_RUNNER_TIMEOUT and `ready` again when restarted; removed, its link
// closes and it hears 401; a bad token ends it with the reason; only Berth
// administrators manage runners; bad input gets 4xx codes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startStack, TEST_IMAGE, type Stack } from '../helpers/stack.js';
import { otherOrganizationKey } from '../helpers/other-org.js';
import { cliEnv, runCli, startCli, type Running } from '../cli/helpers.js';
import type { Json } from '../helpers/json.js';
import { removeRunnerContainers } from '../helpers/docker.js';
import { until } from '../helpers/remote-runner.js';
import { runnerIdFor } from '../../common/config.js';

const run = promisify(execFile);
const TIMEOUT_S = 2;

describe('remote runners', () => {
  let stack: Stack;
  let cfgDir: string;
  let env: Record<string, string>;
  const children: Running[] = [];
  const homes: string[] = [];
  const containers: string[] = [];

  before(async () => {
    stack = await startStack({ config: { runnerTimeoutSeconds: TIMEOUT_S } });
    cfgDir = mkdtempSync(join(tmpdir(), 'berth-runners-'));
    env = cliEnv(stack, join(cfgDir, 'cli.json'));
  });
  after(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.done));
    for (const name of containers) await run('docker', ['rm', '-f', name]).catch(() => {});
    for (const h of homes) await removeRunnerContainers(runnerIdFor('runner', h));
    await stack?.close();
    for (const h of [cfgDir, ...homes]) if (h) rmSync(h, { recursive: true, force: true });
  });

  const runnerHome = () => {
    const h = mkdtempSync(join(tmpdir(), 'berth-runner-home-'));
    homes.push(h);
    return h;
  };
  /** Starts `berth runner` as the printed command says, with its own BERTH_HOME. */
  const startRunner = (vars: Record<string, string>, home = runnerHome()): Running => {
    const r = startCli(['runner'], {
      ...(process.env as Record<string, string>),
      BERTH_HOME: home,
      BERTH_RUNNER_LABELS: 'region=test',
      BERTH_LOG_LEVEL: 'info',
      // It shares the host's engine with other tests: no holders made ahead, no egress rules.
      BERTH_NETNS_POOL: '0',
      BERTH_ENFORCE_EGRESS: 'false',
      ...vars,
    });
    children.push(r);
    return r;
  };
  const runner = async (id: string): Promise<Json | undefined> =>
    ((await stack.api('GET', '/runners')).body as Json[]).find((r: Json) => r.id === id);

  let id = '';
  let printed: Record<string, string> = {};
  let home = '';
  let first: Running;

  it('registers a runner; `berth runner` links and is ready with this engine’s capacity', async () => {
    const created = await runCli(['runner', 'token', 'create', '--name', 'r1', '--label', 'zone=a'], env);
    assert.equal(created.code, 0, created.err);
    const m = /^\s+(BERTH_API_URL=\S+) (BERTH_RUNNER_TOKEN=\S+) berth runner$/m.exec(created.out);
    assert.ok(m, created.out);
    printed = Object.fromEntries([m[1]!, m[2]!].map((kv) => kv.split(/=(.*)/s).slice(0, 2) as [string, string]));
    assert.match(printed.BERTH_RUNNER_TOKEN!, /^berth_runner_/);
    const listed = JSON.parse((await runCli(['runner', 'token', 'list', '--json'], env)).out) as Json[];
    const row = listed.find((r) => r.name === 'r1');
    assert.ok(row);
    id = row.id;
    assert.equal(row.state, 'unreachable', 'never heard from yet');
    assert.equal(JSON.stringify(row).includes(printed.BERTH_RUNNER_TOKEN!), false, 'the token is shown once');

    home = runnerHome();
    first = startRunner(printed, home);
    const ready = await until(
      'runner ready with capacity',
      () => runner(id),
      (r) => r?.state === 'ready' && !!r.capacity && !!r.usage,
    );
    const { stdout } = await run('docker', ['info', '--format', '{{json .}}']);
    const engine = JSON.parse(stdout) as { NCPU: number; MemTotal: number; Driver: string; Runtimes: object };
    assert.equal(ready.capacity.cpus, engine.NCPU);
    assert.equal(ready.capacity.memoryGiB, Math.round((engine.MemTotal / 1024 ** 3) * 100) / 100);
    assert.equal(ready.capacity.storageDriver, engine.Driver);
    assert.deepEqual([...ready.capacity.runtimes].sort(), Object.keys(engine.Runtimes).sort());
    // Which gVisor: none, a runsc registered with --network=none (blocked sandboxes only), or a full one.
    const runsc = (engine.Runtimes as Record<string, { runtimeArgs?: string[] }>).runsc;
    const gvisor = !runsc ? 'unavailable' : runsc.runtimeArgs?.includes('--network=none') ? 'no-network' : 'available';
    assert.equal(ready.capacity.gvisor, gvisor);
    assert.ok(ready.capacity.diskGiB > 0);
    assert.deepEqual(ready.labels, { region: 'test', zone: 'a' });
    assert.equal(ready.version, '0.1.0');
    assert.equal(ready.sandboxes, 0);
    assert.ok(Date.parse(ready.lastSeenAt) > 0);
    const audit = await stack.api('GET', '/audit?action=runner');
    assert.ok(
      (audit.body.items as Json[]).some((e) => e.action === 'runner.create' && e.targetId === id),
      JSON.stringify(audit.body),
    );
  });

  it('drain and enable change its state', async () => {
    const drained = await runCli(['runner', 'drain', 'r1', '--json'], env);
    assert.equal(drained.code, 0, drained.err);
    assert.equal((JSON.parse(drained.out) as Json).state, 'draining');
    assert.equal((await runner(id))?.state, 'draining');
    const enabled = await stack.api('POST', `/runners/${id}/enable`);
    assert.equal(enabled.status, 200);
    assert.equal(enabled.body.state, 'ready');
    assert.equal((await runner(id))?.state, 'ready');
  });

  it('a runner that holds sandboxes cannot be removed (409 with a hint)', async () => {
    // A container labelled as this runner's sandbox: its heartbeat reports it.
    const name = `berth-test-runner-held-${randomBytes(4).toString('hex')}`;
    containers.push(name);
    const runnerId = runnerIdFor('runner', home);
    const labels = ['berth.managed=true', `berth.runner=${runnerId}`, `berth.sandbox=${name}`];
    await run('docker', ['create', '--name', name, ...labels.flatMap((l) => ['--label', l]), TEST_IMAGE, 'true']);
    await until(
      'heartbeat reports the sandbox',
      () => runner(id),
      (r) => r?.sandboxes === 1,
    );
    const refused = await stack.api('DELETE', `/runners/${id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'conflict');
    assert.match(refused.body.hint, /drain/);
    await run('docker', ['rm', '-f', name]);
    await until(
      'heartbeat reports none',
      () => runner(id),
      (r) => r?.sandboxes === 0,
    );
  });

  it('killed, it turns unreachable after the timeout; restarted, ready again', async () => {
    const seen = (await runner(id))?.lastSeenAt;
    first.child.kill('SIGKILL');
    await first.done;
    const gone = await until(
      'unreachable',
      () => runner(id),
      (r) => r?.state === 'unreachable',
      TIMEOUT_S * 5000,
    );
    assert.ok(Date.parse(gone.lastSeenAt) >= Date.parse(seen));
    assert.ok(Date.now() - Date.parse(gone.lastSeenAt) >= TIMEOUT_S * 1000);
    startRunner(printed, home);
    await until(
      'ready again',
      () => runner(id),
      (r) => r?.state === 'ready',
    );
  });

  it('removing a linked runner closes its link at once; the runner hears 401', async () => {
    const linked = children.at(-1)!;
    assert.match(linked.err, /linked to the API/);
    // One runner per token: a second one is refused while the first is linked, and keeps trying.
    const twin = startRunner(printed);
    await until(
      'twin refused',
      async () => twin.err,
      (e) => /runner r1 already has a live link/.test(e),
      10_000,
    );
    twin.child.kill('SIGKILL');
    await twin.done;
    assert.equal((await runner(id))?.state, 'ready');
    const removed = await runCli(['runner', 'token', 'remove', 'r1'], env);
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.out, /removed runner r1/);
    assert.equal(await runner(id), undefined);
    await until(
      'link closed',
      async () => linked.err,
      (e) => /link to the API closed/.test(e),
      10_000,
    );
    await until(
      '401 logged',
      async () => linked.err,
      (e) => /HTTP 401/.test(e),
      10_000,
    );
    assert.equal(stack.server.orch.runnerLinks.linked().includes(id), false);
  });

  it('a bad token: the runner exits non-zero and says why', async () => {
    const r = await runCli(['runner'], {
      ...(process.env as Record<string, string>),
      BERTH_HOME: runnerHome(),
      BERTH_API_URL: stack.apiUrl,
      BERTH_RUNNER_TOKEN: `berth_runner_${randomBytes(20).toString('hex')}`,
    });
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /refused this runner token \(HTTP 401/);
    assert.match(r.err, /hint: create a token with `berth runner token create/);
  });

  it('missing settings: the runner names them', async () => {
    const r = await runCli(['runner'], {
      ...(process.env as Record<string, string>),
      BERTH_HOME: runnerHome(),
      BERTH_API_URL: '',
      BERTH_RUNNER_TOKEN: '',
    });
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /BERTH_API_URL=undefined: required/);
    assert.match(r.err, /BERTH_RUNNER_TOKEN=\(hidden\): required/);
  });

  it('only Berth administrators manage runners (403)', async () => {
    const other = await otherOrganizationKey(stack);
    for (const [method, path, body] of [
      ['GET', '/runners', undefined],
      ['POST', '/runners', { name: 'nope' }],
      ['POST', `/runners/${id}/drain`, undefined],
      ['DELETE', `/runners/${id}`, undefined],
    ] as const) {
      const r = await stack.api(method, path, body, { key: other });
      assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'forbidden');
    }
    assert.equal(((await stack.api('GET', '/runners')).body as Json[]).length, 0);
  });

  it('bad input gets 4xx with codes and hints', async () => {
    assert.equal((await stack.api('POST', '/runners', { name: 'dup' })).status, 201);
    const rows: [string, string, string, unknown, number, string][] = [
      ['no name', 'POST', '/runners', {}, 400, 'invalid_argument'],
      ['bad name', 'POST', '/runners', { name: 'has space' }, 400, 'invalid_argument'],
      ['bad label', 'POST', '/runners', { name: 'x', labels: { 'a b': 'c' } }, 400, 'invalid_argument'],
      ['unknown field', 'POST', '/runners', { name: 'x', token: 'mine' }, 400, 'invalid_argument'],
      ['duplicate name', 'POST', '/runners', { name: 'dup' }, 409, 'conflict'],
      ['unknown id (get)', 'GET', '/runners/nope', undefined, 404, 'not_found'],
      ['unknown id (drain)', 'POST', '/runners/nope/drain', undefined, 404, 'not_found'],
      ['unknown id (enable)', 'POST', '/runners/nope/enable', undefined, 404, 'not_found'],
      ['unknown id (delete)', 'DELETE', '/runners/nope', undefined, 404, 'not_found'],
      ['plain GET of the link', 'GET', '/runners/link', undefined, 400, 'invalid_argument'],
    ];
    for (const [what, method, path, body, status, code] of rows) {
      const r = await stack.api(method, path, body);
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code, what);
      assert.ok(r.body.hint || r.body.message, what);
    }
    const names = ((await stack.api('GET', '/runners')).body as Json[]).map((r) => r.name);
    assert.deepEqual(names, ['dup']);
  });
});

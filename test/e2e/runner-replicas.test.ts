// A runner keeps one link to each API replica (docs/scale-out.md, "Replicas
// and links"). With PostgreSQL + Redis: two `berth serve` replicas, one
// `berth runner` on a second Docker engine that dials replica A only. It ends
// up linked to both; each replica's RunnerClient drives the same sandbox;
// replica B stopping drops only B's link, and B back is linked again; a second
// runner process with the same token is refused; removing the runner cuts both
// links. A lone replica's one link is checked in test/runners/remote-client.cases.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMALL_IMAGE, startStack, type Stack } from '../helpers/stack.js';
import { startCli, type Running } from '../cli/helpers.js';
import { engineRigMissing, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';
import { skipUnless } from '../helpers/strict.js';
import { until } from '../helpers/remote-runner.js';
import { runtimeSpec } from '../helpers/runtime-spec.js';
import { freePort } from '../helpers/free-port.js';
import type { Json } from '../helpers/json.js';

const TIMEOUT_S = 3;
const noServices =
  !(process.env.BERTH_TEST_REDIS_URL && process.env.BERTH_TEST_DATABASE_URL) &&
  'PostgreSQL and Redis (BERTH_TEST_DATABASE_URL, BERTH_TEST_REDIS_URL: `npm test` runs this file with them only)';

/** A replica on `port` whose BERTH_REPLICA_URL is its own address. */
const replicaConfig = (port: number) => ({
  port,
  host: '127.0.0.1',
  replicaUrl: `http://127.0.0.1:${port}`,
  runnerTimeoutSeconds: TIMEOUT_S,
  // A shell, echo and cat are all its sandboxes need: the rig holds the 1 MB busybox image, not the base image.
  defaultImage: SMALL_IMAGE,
  // The embedded runner is in another region than the remote one, so a create can ask for either.
  runnerLabels: 'region=home',
});

describe('runner links to two replicas', { skip: skipUnless(engineRigMissing() || noServices) }, () => {
  let rig: EngineRig | undefined;
  const homes: string[] = [];
  const children: Running[] = [];

  before(async () => {
    rig = await startEngineRig(SMALL_IMAGE);
  });
  after(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.done));
    await rig?.close();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  /** `berth runner` on the rig's engine, dialing `apiUrl`. */
  const startRunner = (apiUrl: string, token: string): Running => {
    const home = mkdtempSync(join(tmpdir(), 'berth-replicas-runner-'));
    homes.push(home);
    const r = startCli(
      ['runner'],
      {
        ...(process.env as Record<string, string>),
        BERTH_API_URL: apiUrl,
        BERTH_RUNNER_TOKEN: token,
        BERTH_HOME: home,
        DOCKER_HOST: `unix://${rig!.socket}`,
        BERTH_ENFORCE_EGRESS: 'false',
        BERTH_NETNS_POOL: '0',
        BERTH_LOG_LEVEL: 'info',
      },
      600_000,
    );
    children.push(r);
    return r;
  };

  describe('two replicas on PostgreSQL + Redis', () => {
    let a: Stack;
    let b: Stack | undefined;
    let portB = 0;
    let id = '';
    let token = '';
    let runner: Running;
    const linkedOn = (s: Stack | undefined) => !!s?.server.orch.runnerLinks.linked().includes(id);

    before(async () => {
      const portA = await freePort();
      portB = await freePort();
      a = await startStack({ config: replicaConfig(portA) });
      b = await startStack({
        config: replicaConfig(portB),
        reuse: { home: a.home, runnerId: a.runnerId, databaseUrl: a.databaseUrl, key: a.key },
      });
      const created = await a.api('POST', '/runners', { name: 'two-replicas', labels: { region: 'eu' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      id = created.body.id as string;
      token = created.body.token as string;
    });
    after(async () => {
      runner?.child.kill('SIGTERM');
      await runner?.done;
      await b?.stop();
      await a?.close();
    });

    it('dialing replica A only, the runner ends up linked to both', async () => {
      runner = startRunner(a.apiUrl, token);
      await until(
        'linked to both replicas',
        async () => [linkedOn(a), linkedOn(b)],
        ([x, y]) => !!x && !!y,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nrunner: ${runner.err}`);
      });
      assert.match(runner.err, new RegExp(`linking to replica replica=\\S+ url=http://127.0.0.1:${portB}`));
      // Both replicas heartbeat it: it is ready on either.
      for (const s of [a, b!]) assert.equal(((await s.api('GET', `/runners/${id}`)).body as Json).state, 'ready');
    });

    it('each replica’s RunnerClient drives the same sandbox on the runner', async () => {
      const viaA = a.server.orch.runnerLinks.client(id);
      const viaB = b!.server.orch.runnerLinks.client(id);
      const sandboxId = randomUUID();
      const label = `label=berth.sandbox=${sandboxId}`;
      try {
        const spec = runtimeSpec({ sandboxId, organizationId: a.organizationId, image: SMALL_IMAGE });
        await viaA.ensureStarted(spec);
        await viaB.ensureStarted(spec); // idempotent: the same container
        assert.equal((await rig!.docker('ps', '-q', '--filter', label)).trim().split(/\s+/).length, 1);
        const wrote = await viaA.daemon(sandboxId).exec({ command: 'echo from-a > /tmp/mark && echo ok' });
        assert.equal(wrote.stdout, 'ok\n');
        const read = await viaB.daemon(sandboxId).exec({ command: 'cat /tmp/mark' });
        assert.equal(read.stdout, 'from-a\n', 'B reaches the sandbox A wrote to');
        await viaB.ensureDestroyed(sandboxId);
        assert.equal((await viaA.observe(sandboxId)).exists, false);
        assert.equal((await rig!.docker('ps', '-aq', '--filter', label)).trim(), '');
      } finally {
        await viaA.ensureDestroyed(sandboxId).catch(() => {});
      }
    });

    it('a sandbox created through A on the runner answers exec and files through B, and B deletes it', async () => {
      const made = await a.api('POST', '/sandbox', { target: 'eu', cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      const sid = made.body.id as string;
      const label = `label=berth.sandbox=${sid}`;
      assert.match(await rig!.docker('ps', '-q', '--filter', label), /\S/, 'on the runner');
      const wrote = await a.api('POST', `/toolbox/${sid}/process/execute`, { command: 'echo via-a > /tmp/mark' });
      assert.equal(wrote.status, 200, JSON.stringify(wrote.body));
      const read = await b!.api('POST', `/toolbox/${sid}/process/execute`, { command: 'cat /tmp/mark' });
      assert.equal(read.body.result, 'via-a\n', JSON.stringify(read.body));
      const down = await fetch(`${b!.url}/toolbox/${sid}/files/download?path=/tmp/mark`, {
        headers: { authorization: `Bearer ${b!.key}` },
      });
      assert.equal(await down.text(), 'via-a\n');
      assert.ok((await b!.api('DELETE', `/sandbox/${sid}`)).status < 300);
      await until(
        'removed from the runner',
        () => rig!.docker('ps', '-aq', '--filter', label),
        (o) => !o.trim(),
      );
    });

    it('replica B stopping drops only its link; A still works; B back is linked again', async () => {
      await b!.stop();
      b = undefined;
      await until(
        'the runner drops replica B',
        async () => runner.err,
        (e) => /replica left; link dropped/.test(e),
      );
      assert.equal(linkedOn(a), true, 'A keeps its link');
      const health = await a.server.orch.runnerLinks.client(id).health();
      assert.equal(health.ok, true, health.error);
      b = await startStack({
        config: replicaConfig(portB),
        reuse: { home: a.home, runnerId: a.runnerId, databaseUrl: a.databaseUrl, key: a.key },
      });
      await until('linked to the new B', async () => linkedOn(b), Boolean);
      const again = await b.server.orch.runnerLinks.client(id).health();
      assert.equal(again.ok, true, again.error);
      assert.equal(linkedOn(a), true);
    });

    it('a second runner process with the same token is refused while the first runs', async () => {
      const twin = startRunner(b!.apiUrl, token);
      await until(
        'twin refused',
        async () => twin.err,
        (e) => /runner two-replicas already has a live link/.test(e),
      );
      assert.doesNotMatch(twin.err, /linked to the API/);
      twin.child.kill('SIGKILL');
      await twin.done;
      assert.deepEqual([linkedOn(a), linkedOn(b)], [true, true], 'the first keeps both links');
    });

    it('removing the runner cuts both links', async () => {
      const removed = await b!.api('DELETE', `/runners/${id}`);
      assert.equal(removed.status, 204, JSON.stringify(removed.body));
      await until(
        'no link on either replica',
        async () => [linkedOn(a), linkedOn(b)],
        ([x, y]) => !x && !y,
        10_000,
      );
      await until(
        '401 logged',
        async () => runner.err,
        (e) => /HTTP 401/.test(e),
      );
    });
  });
});

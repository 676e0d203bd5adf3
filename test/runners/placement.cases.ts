// Sandboxes on a remote runner, through the product: a server (embedded runner
// labelled region=home) and a `berth runner` on a SECOND Docker engine
// labelled region=eu. What a user would observe: a create with target "eu"
// runs there (its container is on that engine, not the server's); exec, files,
// a preview link, SSH and the Daytona SDK reach it through the API; stop,
// start and delete work; creates without a target spread over both runners;
// a target no runner serves, or a draining runner, answer 503 no_capacity
// saying why; a runner holding sandboxes cannot be removed; GET /api/runners
// shows what is placed on it; `berth runner drain --migrate` moves its
// sandboxes to the other runner with their files, and an archived sandbox
// of a draining runner restores on the other one when it starts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daytona } from '@daytonaio/sdk';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import { docker } from '../helpers/docker.js';
import type { EngineRig } from '../helpers/engine-rig.js';
import { startRemoteRunner, until, type RemoteRunner } from '../helpers/remote-runner.js';
import { loadHostKey } from '../../gateways/ssh/host-key.js';
import { sshOptions } from '../helpers/ssh-options.js';
import { run } from '../gateways/ssh-helpers.js';
import { send } from '../gateways/client.js';
import type { Json } from '../helpers/json.js';
import { freePort } from '../helpers/free-port.js';
import { cliEnv, runCli } from '../cli/helpers.js';

export function placementCases(engine: () => EngineRig): void {
  describe('placement on a remote runner, through the API', () => {
    let stack: Stack | undefined;
    let remote: RemoteRunner | undefined;
    let dir = '';
    const made: string[] = [];

    /** Which engine holds the sandbox's container: 'remote', 'local' or 'none'. */
    const whereIs = async (id: string) => {
      const label = `berth.sandbox=${id}`;
      if ((await engine().docker('ps', '-aq', '--filter', `label=${label}`)).trim()) return 'remote';
      if ((await docker.listContainers({ all: true, filters: { label: [label] } })).length) return 'local';
      return 'none';
    };
    const create = async (body: Record<string, unknown>) => {
      const s = await createSandbox(stack!, { cpu: 1, memory: 1, disk: 2, autoStopInterval: 0, ...body });
      made.push(s.id as string);
      return s;
    };

    before(async () => {
      // The SDK reaches the toolbox at the public URL: it must name the port the server listens on.
      const port = await freePort();
      stack = await startStack({
        ssh: true,
        // A short runner timeout, so the runner-loss test sees a killed runner go unreachable soon.
        config: { port, publicUrl: `http://127.0.0.1:${port}`, runnerLabels: 'region=home', runnerTimeoutSeconds: 6 },
      });
      remote = await startRemoteRunner(stack, engine(), { name: 'eu-1', labels: { region: 'eu' } });
      dir = mkdtempSync(join(tmpdir(), 'berth-placement-'));
    });
    after(async () => {
      for (const id of made) await stack?.api('DELETE', `/sandbox/${id}`).catch(() => {});
      for (const id of made)
        await until(
          'deleted',
          () => whereIs(id),
          (w) => w === 'none',
          60_000,
        ).catch(() => {});
      await remote?.stop();
      await stack?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('runs a sandbox with target "eu" on that runner; exec, files, stop, start and delete work through the API', async () => {
      const r = await stack!.api('POST', '/sandbox', { cpu: 1, memory: 1, disk: 2, target: 'eu', env: { WHO: 'eu' } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.state, 'started');
      assert.equal(r.headers.get('x-berth-warm'), 'miss; reason=runner');
      const id = r.body.id as string;
      made.push(id);
      assert.equal(await whereIs(id), 'remote');

      const out = await exec(stack!, id, 'echo "$WHO $(hostname)"');
      assert.equal(out.exitCode, 0);
      assert.match(out.result, /^eu /);

      const bytes = randomBytes(1 << 20);
      const up = await fetch(`${stack!.url}/toolbox/${id}/files/upload-v2?path=/tmp/blob.bin`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack!.key}`, 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      assert.equal(up.status, 200, await up.text());
      const down = await fetch(`${stack!.url}/toolbox/${id}/files/download?path=/tmp/blob.bin`, {
        headers: { authorization: `Bearer ${stack!.key}` },
      });
      assert.equal(down.status, 200);
      assert.equal(Buffer.compare(Buffer.from(await down.arrayBuffer()), bytes), 0, 'byte-exact through the link');

      const stop = await stack!.api('POST', `/sandbox/${id}/stop`);
      assert.equal(stop.status, 200, JSON.stringify(stop.body));
      await until(
        'stopped',
        async () => (await stack!.api('GET', `/sandbox/${id}`)).body.state,
        (s) => s === 'stopped',
      );
      assert.match(
        await engine().docker('ps', '-a', '--filter', `label=berth.sandbox=${id}`, '--format', '{{.State}}'),
        /exited/,
      );
      const start = await stack!.api('POST', `/sandbox/${id}/start`);
      assert.equal(start.status, 200, JSON.stringify(start.body));
      await until(
        'started',
        async () => (await stack!.api('GET', `/sandbox/${id}`)).body.state,
        (s) => s === 'started',
      );
      assert.equal((await exec(stack!, id, 'cat /tmp/blob.bin | wc -c')).result.trim(), String(1 << 20), 'files kept');

      const del = await stack!.api('DELETE', `/sandbox/${id}`);
      assert.ok(del.status < 300, JSON.stringify(del.body));
      await until(
        'container removed',
        () => whereIs(id),
        (w) => w === 'none',
      );
    });

    it('stops a sandbox on the remote runner that wrote past its disk limit, saying why', async () => {
      const s = await create({ target: 'eu', disk: 0.25 });
      const id = s.id as string;
      assert.equal(await whereIs(id), 'remote');
      // Two files under the per-file size limit, together past the 0.25 GiB the sandbox may write.
      await exec(stack!, id, 'head -c 150M /dev/zero > a.bin; head -c 150M /dev/zero > b.bin', { timeout: 120 });
      const stopped = await stack!.server.orch.reconciler.checkDisks();
      assert.ok(stopped.includes(id), `the disk watch did not stop it: ${JSON.stringify(stopped)}`);
      const after = await until(
        'no longer started',
        async () => (await stack!.api('GET', `/sandbox/${id}`)).body as Json,
        (b) => b.state !== 'started',
      );
      assert.match(String(after.errorReason), /disk limit exceeded/);
      // Gone before the next case counts what is not started there.
      await stack!.api('DELETE', `/sandbox/${id}`);
      await until(
        'deleted',
        async () => (await stack!.api('GET', `/sandbox/${id}`)).status,
        (st) => st === 404,
      );
    });

    it('serves a preview link and SSH to a sandbox on the remote runner', async () => {
      const s = await create({ target: 'eu' });
      const id = s.id as string;
      assert.equal(await whereIs(id), 'remote');
      await exec(stack!, id, 'mkdir -p /tmp/site && echo "served from eu" > /tmp/site/index.html');
      await stack!.api('POST', `/toolbox/${id}/process/session`, { sessionId: 'web' });
      await stack!.api('POST', `/toolbox/${id}/process/session/web/exec`, {
        command: 'cd /tmp/site && python3 -m http.server 8080 --bind 127.0.0.1',
        runAsync: true,
      });
      const link = await stack!.api('GET', `/sandbox/${id}/ports/8080/preview-url`);
      assert.equal(link.status, 200, JSON.stringify(link.body));
      const page = await until(
        'preview answers',
        () => send(link.body.url as string, { headers: { 'x-daytona-preview-token': link.body.token as string } }),
        (p) => p.status === 200,
        30_000,
      );
      assert.match(page.text, /served from eu/);

      const port = stack!.server.ssh!.port();
      const known = join(dir, 'known_hosts');
      writeFileSync(known, `[127.0.0.1]:${port} ${loadHostKey(stack!.home).publicKey}\n`);
      const access = await stack!.api('POST', `/sandbox/${id}/ssh-access?expiresInMinutes=5`);
      assert.equal(access.status, 200, JSON.stringify(access.body));
      const ssh = await run('ssh', [
        ...sshOptions(known, ['ConnectTimeout=10']),
        '-p',
        String(port),
        `${access.body.token}@127.0.0.1`,
        'cat /tmp/site/index.html; exit 3',
      ]);
      assert.equal(ssh.stdout, 'served from eu\n', ssh.stderr);
      assert.equal(ssh.code, 3);
    });

    it('works with the Daytona SDK unchanged (target "eu")', async () => {
      const daytona = new Daytona({ apiKey: stack!.key, apiUrl: stack!.apiUrl, target: 'eu' });
      const sb = await daytona.create({ autoStopInterval: 0 });
      made.push(sb.id);
      assert.equal(await whereIs(sb.id), 'remote');
      const r = await sb.process.executeCommand('echo sdk-$((6*7))');
      assert.equal(r.result.trim(), 'sdk-42');
      await sb.fs.uploadFile(Buffer.from('through the SDK'), '/tmp/sdk.txt');
      assert.equal((await sb.fs.downloadFile('/tmp/sdk.txt')).toString(), 'through the SDK');
      await sb.delete();
      await until(
        'container removed',
        () => whereIs(sb.id),
        (w) => w === 'none',
      );
    });

    it('spreads creates without a target over both runners, and lists what is placed on each', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await create({})).id as string);
      const where = await Promise.all(ids.map(whereIs));
      const onRemote = where.filter((w) => w === 'remote').length;
      assert.ok(onRemote >= 2 && onRemote <= 6, `8 creates spread: ${where.join(',')}`);
      const info = (await stack!.api('GET', `/runners/${remote!.id}`)).body as Json;
      assert.ok(info.sandboxes >= onRemote, JSON.stringify(info));
      assert.ok(info.allocated.cpu >= onRemote, JSON.stringify(info.allocated));
      const refused = await stack!.api('DELETE', `/runners/${remote!.id}`);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.match(refused.body.hint, /drain/);
    });

    it('answers 503 no_capacity, saying why, for a target no runner serves and while the only eu runner drains', async () => {
      const mars = await stack!.api('POST', '/sandbox', { target: 'mars', cpu: 1, memory: 1, disk: 2 });
      assert.equal(mars.status, 503, JSON.stringify(mars.body));
      assert.equal(mars.body.code, 'no_capacity');
      assert.match(mars.body.message, /eu-1 \(region eu, not mars/);
      assert.match(mars.body.message, /embedded runner \(region home, not mars/);
      assert.ok(mars.body.hint);

      const drained = await stack!.api('POST', `/runners/${remote!.id}/drain`);
      assert.equal(drained.status, 200, JSON.stringify(drained.body));
      try {
        const eu = await stack!.api('POST', '/sandbox', { target: 'eu', cpu: 1, memory: 1, disk: 2 });
        assert.equal(eu.status, 503, JSON.stringify(eu.body));
        assert.equal(eu.body.code, 'no_capacity');
        const list = (await stack!.api('GET', '/sandbox')).body as Json;
        const all = (Array.isArray(list) ? list : list.items) as Json[];
        assert.equal(all.filter((s) => s.target === 'eu' && s.state !== 'started').length, 0, 'nothing half-made');
      } finally {
        await stack!.api('POST', `/runners/${remote!.id}/enable`);
      }
      const back = await create({ target: 'eu' });
      assert.equal(await whereIs(back.id as string), 'remote');
    });

    it('moves every sandbox off a runner with `berth runner drain --migrate`, files kept, a running one started again', async () => {
      // Creates without a target land on either runner: make two on the remote one.
      const onRemote: string[] = [];
      for (let i = 0; i < 16 && onRemote.length < 2; i++) {
        const s = await create({});
        if ((await whereIs(s.id as string)) === 'remote') onRemote.push(s.id as string);
      }
      assert.equal(onRemote.length, 2, 'two sandboxes on the remote runner');
      const [running, stopped] = onRemote as [string, string];
      for (const id of onRemote) await exec(stack!, id, `echo ${id} > mine.txt`);
      const stop = await stack!.api('POST', `/sandbox/${stopped}/stop`);
      assert.equal(stop.body.state, 'stopped', JSON.stringify(stop.body));
      const before = ((await stack!.api('GET', `/runners/${remote!.id}`)).body as Json).sandboxes as number;
      // Sandboxes of earlier tests with target "eu" have nowhere else to go: they stay, each with why.
      const list = (await stack!.api('GET', '/sandbox')).body as Json;
      const all = (Array.isArray(list) ? list : list.items) as Json[];
      const pinned = all.filter((x) => x.target === 'eu' && x.state !== 'destroyed').map((x) => x.id as string);

      const cli = await runCli(['runner', 'drain', 'eu-1', '--migrate'], cliEnv(stack!, join(dir, 'cli.json')));
      try {
        assert.equal(cli.code, pinned.length ? 5 : 0, cli.err);
        assert.match(cli.out, /eu-1/);
        assert.match(cli.err, /moved \d+; \d+ left on eu-1/, 'says how the moves go');
        for (const id of pinned) {
          assert.match(cli.err, new RegExp(`${id}: no runner has room .*not eu`));
          const stayed = (await stack!.api('GET', `/sandbox/${id}`)).body as Json;
          const was = all.find((x) => x.id === id)!.state;
          assert.equal(stayed.state, was, 'one with nowhere to go is left as it was (running, if it ran)');
          assert.equal(await whereIs(id), 'remote');
        }
        // `sandboxes` counts what the runner's last heartbeat reported too: it catches up within seconds.
        const info = await until(
          'the runner holds only what could not move',
          async () => (await stack!.api('GET', `/runners/${remote!.id}`)).body as Json,
          (r) => r.sandboxes === pinned.length,
          30_000,
        );
        assert.equal(info.state, 'draining');
        const migration = info.migration as Json;
        assert.equal(migration.state, 'done');
        assert.equal(migration.moved, before - pinned.length);
        assert.deepEqual((migration.left as Json[]).map((l) => l.sandboxId as string).sort(), pinned.sort());

        const ran = (await stack!.api('GET', `/sandbox/${running}`)).body as Json;
        assert.equal(ran.state, 'started', 'the running one runs again');
        assert.equal(await whereIs(running), 'local');
        assert.equal((await exec(stack!, running, 'cat mine.txt')).result.trim(), running, 'its files came along');
        assert.equal(((await stack!.api('GET', `/sandbox/${stopped}`)).body as Json).state, 'archived');
        const started = await stack!.api('POST', `/sandbox/${stopped}/start`);
        assert.equal(started.body.state, 'started', JSON.stringify(started.body));
        assert.equal(await whereIs(stopped), 'local');
        assert.equal((await exec(stack!, stopped, 'cat mine.txt')).result.trim(), stopped, 'restored here');
        for (const id of onRemote)
          assert.equal((await engine().docker('ps', '-aq', '--filter', `label=berth.sandbox=${id}`)).trim(), '');
      } finally {
        await stack!.api('POST', `/runners/${remote!.id}/enable`);
      }
    });

    it('restores an archived sandbox of a draining runner on another runner when it starts', async () => {
      let id = '';
      for (let i = 0; i < 16 && !id; i++) {
        const s = await create({});
        if ((await whereIs(s.id as string)) === 'remote') id = s.id as string;
      }
      assert.ok(id, 'a sandbox on the remote runner');
      await exec(stack!, id, 'echo archived-here > mine.txt');
      assert.equal((await stack!.api('POST', `/sandbox/${id}/stop`)).body.state, 'stopped');
      const archived = await stack!.api('POST', `/sandbox/${id}/archive`);
      assert.equal(archived.body.state, 'archived', JSON.stringify(archived.body));
      await stack!.api('POST', `/runners/${remote!.id}/drain`);
      try {
        const started = await stack!.api('POST', `/sandbox/${id}/start`);
        assert.equal(started.body.state, 'started', JSON.stringify(started.body));
        assert.equal(await whereIs(id), 'local');
        assert.equal((await exec(stack!, id, 'cat mine.txt')).result.trim(), 'archived-here');
      } finally {
        await stack!.api('POST', `/runners/${remote!.id}/enable`);
      }
    });

    it('shows sandboxes of a killed runner as unknown (503 on use), creates elsewhere, and reconciles them on its return', async () => {
      const far = (await create({ target: 'eu' })).id as string;
      const near = (await create({ target: 'home' })).id as string;
      await exec(stack!, far, 'echo kept > /tmp/kept.txt');
      await remote!.kill();
      await stack!.server.orch.reconciler.sweep();
      const seen = (await stack!.api('GET', `/sandbox/${far}`)).body as Json;
      assert.equal(seen.state, 'unknown', JSON.stringify(seen));
      assert.equal(seen.recoverable, true);
      assert.match(seen.errorReason, /runner eu-1 has not been heard from since/);
      const refused = await stack!.api('POST', `/toolbox/${far}/process/execute`, { command: 'true' });
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'SANDBOX_UNREACHABLE', 'toolbox errors carry the reason as their code');
      assert.match(refused.body.hint, /eu-1 has not been heard from/);

      assert.equal((await exec(stack!, near, 'echo fine')).result.trim(), 'fine', 'neighbours unaffected');
      const fresh = await create({});
      assert.equal(await whereIs(fresh.id as string), 'local', 'creates go where a runner is');

      // No sweep: a runner that links again gets its sandboxes looked at by itself.
      await remote!.restart();
      await until(
        'back to started',
        async () => (await stack!.api('GET', `/sandbox/${far}`)).body.state,
        (s) => s === 'started',
      );
      assert.equal((await exec(stack!, far, 'cat /tmp/kept.txt')).result.trim(), 'kept', 'nothing lost');
      assert.equal((await stack!.api('GET', `/sandbox/${far}`)).body.errorReason ?? null, null);
    });
  });
}

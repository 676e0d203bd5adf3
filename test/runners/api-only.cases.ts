// An API-only replica (BERTH_LOCAL_RUNNER=false), through the product: a server
// whose Docker socket does not exist, and a `berth runner` on a SECOND Docker
// engine (which holds the test image). What a user would observe: before a
// runner links, a create answers 503 no_capacity; health is ok and says
// API-only, with no engine warning in the log; GET /api/runners lists the
// remote runner and nothing else; a sandbox is created on the remote runner
// (its container is on that engine, none on the host's), runs a command,
// takes and gives back a file, and is deleted; an image only a second runner
// (on the host's engine) holds reaches the first over both links; what needs
// an engine beside the API (a snapshot build, a volume, a sandbox's snapshot
// or fork) and an image no runner holds are refused with 409 and a code and
// hint that say why. With BERTH_REGISTRY_URL (Debian's docker-registry on
// 127.0.0.1), an image no runner holds is pulled from the registry by the
// sandbox's runner (here one on the host's engine), and one the registry
// lacks is refused at create.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, startStack, type Stack } from '../helpers/stack.js';
import { docker } from '../helpers/docker.js';
import type { EngineRig } from '../helpers/engine-rig.js';
import { startRemoteRunner, until, type RemoteRunner } from '../helpers/remote-runner.js';
import type { Json } from '../helpers/json.js';
import { REGISTRY_BIN, startOpenRegistry, type OpenRegistry } from '../helpers/open-registry.js';
import { freePort } from '../helpers/free-port.js';
import { skipOrFail } from '../helpers/strict.js';
import { createLogger } from '../../common/log.js';

export function apiOnlyCases(engine: () => EngineRig): void {
  describe('an API-only replica (BERTH_LOCAL_RUNNER=false)', () => {
    let stack: Stack | undefined;
    let remote: RemoteRunner | undefined;
    let dir = '';
    const logged: string[] = [];
    const made: string[] = [];
    /** A create sent before any runner had linked (checked in the first test). */
    let beforeRunner: { status: number; body: Json } | undefined;

    const onRig = async (id: string) =>
      (await engine().docker('ps', '-aq', '--filter', `label=berth.sandbox=${id}`)).trim() !== '';
    const onHost = async (id: string) =>
      (await docker.listContainers({ all: true, filters: { label: [`berth.sandbox=${id}`] } })).length > 0;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'berth-api-only-'));
      stack = await startStack({
        config: { localRunner: false, dockerSocket: join(dir, 'no-such', 'docker.sock') },
        log: createLogger({ level: 'info', json: true, write: (line) => logged.push(line) }),
      });
      beforeRunner = await stack.api('POST', '/sandbox', { cpu: 1, memory: 1, disk: 2 });
      remote = await startRemoteRunner(stack, engine(), { name: 'api-only-1' });
    });
    after(async () => {
      for (const id of made) await stack?.api('DELETE', `/sandbox/${id}`).catch(() => {});
      for (const id of made)
        await until(
          'deleted',
          () => onRig(id),
          (on) => !on,
          30_000,
        ).catch(() => {});
      await remote?.stop();
      await stack?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('is healthy and says API-only; lists only the remote runner; logs no engine warning', async () => {
      // Before the runner linked there was nowhere to put a sandbox, and nothing was written.
      assert.equal(beforeRunner!.status, 503, JSON.stringify(beforeRunner!.body));
      assert.equal(beforeRunner!.body.code, 'no_capacity');
      assert.match(beforeRunner!.body.hint, /berth runner/);
      const list = (await stack!.api('GET', '/sandbox')).body as Json;
      assert.equal((Array.isArray(list) ? list : list.items).length, 0);
      const h = await fetch(`${stack!.apiUrl}/health`);
      const body = (await h.json()) as Record<string, unknown>;
      assert.equal(h.status, 200, JSON.stringify(body));
      assert.equal(body.status, 'ok');
      assert.equal(body.mode, 'api-only');
      assert.deepEqual(body.runners, { linked: 1 });
      assert.equal((body.engine as { ok: boolean; kind: string }).kind, 'none');
      const runners = await stack!.api('GET', '/runners');
      assert.equal(runners.status, 200);
      assert.deepEqual(
        (runners.body as { id: string }[]).map((r) => r.id),
        [remote!.id],
      );
      assert.ok(
        logged.some((l) => l.includes('API-only replica')),
        logged.join('\n'),
      );
      assert.ok(!logged.some((l) => /"msg":"(docker engine|Docker engine unreachable)/.test(l)), logged.join('\n'));
    });

    it('creates a sandbox on the remote runner; exec, upload, download and delete work', async () => {
      const r = await stack!.api('POST', '/sandbox', { memory: 1, disk: 2, autoStopInterval: 0 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.state, 'started');
      // The default cpu (2) within the per-sandbox limit, which is the linked runner's size here, not 1 core.
      assert.equal(r.body.cpu, Math.min(2, availableParallelism()));
      const id = r.body.id as string;
      made.push(id);
      assert.equal(await onRig(id), true, 'its container is on the runner engine');
      assert.equal(await onHost(id), false, 'and none on the host engine');

      const out = await exec(stack!, id, 'echo api-only-$((6*7))');
      assert.equal(out.exitCode, 0);
      assert.equal(out.result.trim(), 'api-only-42');

      const bytes = randomBytes(256 * 1024);
      const auth = { authorization: `Bearer ${stack!.key}` };
      const up = await fetch(`${stack!.url}/toolbox/${id}/files/upload-v2?path=/tmp/blob.bin`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      assert.equal(up.status, 200, await up.text());
      const down = await fetch(`${stack!.url}/toolbox/${id}/files/download?path=/tmp/blob.bin`, { headers: auth });
      assert.equal(down.status, 200);
      assert.equal(Buffer.compare(Buffer.from(await down.arrayBuffer()), bytes), 0, 'byte-exact');

      // Snapshots and forks keep their images on the API host: refused before anything is committed.
      for (const what of ['snapshot', 'fork']) {
        const refused = await stack!.api('POST', `/sandbox/${id}/${what}`, { name: `api-only-${what}` });
        assert.equal(refused.status, 409, JSON.stringify(refused.body));
        assert.equal(refused.body.reason, 'NO_LOCAL_RUNNER');
      }
      assert.equal((await stack!.api('GET', '/snapshots/api-only-snapshot')).status, 404, 'no snapshot left');
      assert.equal((await exec(stack!, id, 'echo still')).result.trim(), 'still', 'the sandbox is untouched');

      const del = await stack!.api('DELETE', `/sandbox/${id}`);
      assert.ok(del.status < 300, JSON.stringify(del.body));
      await until(
        'container removed from the runner engine',
        () => onRig(id),
        (on) => !on,
        30_000,
      );
    });

    it('sends an image a runner lacks from the linked runner that holds it, over both links', async () => {
      // A second runner, on the host's engine, holds a small image under a tag the rig's engine has never seen.
      const tag = randomBytes(4).toString('hex');
      const ref = `berth-test/api-only-relay:${tag}`;
      await docker.getImage('berth-test/busybox:static').tag({ repo: 'berth-test/api-only-relay', tag });
      const holder = await startRemoteRunner(stack!, engine(), {
        name: 'api-only-holder',
        labels: { region: 'host' },
        env: { DOCKER_HOST: `unix://${process.env.BERTH_DOCKER_SOCKET ?? '/var/run/docker.sock'}` },
      });
      try {
        assert.equal((await engine().docker('images', '-q', ref)).trim(), '', 'not on the rig engine yet');
        // The holder's region is "host": a target of "rig" can only go to the first runner, which lacks the image.
        const r = await stack!.api('POST', '/sandbox', { image: ref, target: 'rig', cpu: 1, memory: 1, disk: 2 });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const id = r.body.id as string;
        made.push(id);
        assert.equal(await onRig(id), true);
        const [sent] = await engine()
          .docker('image', 'inspect', '--format', '{{.Id}}', ref)
          .then((o) => o.split('\n'));
        assert.equal(sent, (await docker.getImage(ref).inspect()).Id, 'the same image on the rig engine');
        assert.equal((await exec(stack!, id, 'echo relayed')).result.trim(), 'relayed');
        await stack!.api('DELETE', `/sandbox/${id}`);
        await until(
          'container removed from the runner engine',
          () => onRig(id),
          (on) => !on,
          30_000,
        );
      } finally {
        await holder.stop();
        // By the reference this test made, never by id (REVIEW 26).
        await engine()
          .docker('rmi', ref)
          .catch(() => '');
        await docker
          .getImage(ref)
          .remove()
          .catch(() => {});
      }
    });

    it('refuses a snapshot build and a volume (409 NO_LOCAL_RUNNER), and an image no runner holds', async () => {
      const build = await stack!.api('POST', '/snapshots', {
        name: 'api-only-build',
        buildInfo: { dockerfileContent: 'FROM berth/sandbox-base:latest\nRUN true\n' },
      });
      assert.equal(build.status, 409, JSON.stringify(build.body));
      assert.equal(build.body.code, 'failed_precondition');
      assert.equal(build.body.reason, 'NO_LOCAL_RUNNER');
      assert.match(build.body.hint, /BERTH_LOCAL_RUNNER=false/);
      assert.equal((await stack!.api('GET', '/snapshots/api-only-build')).status, 404, 'nothing was written');

      const volume = await stack!.api('POST', '/volumes', { name: 'api-only-vol' });
      assert.equal(volume.status, 409, JSON.stringify(volume.body));
      assert.equal(volume.body.reason, 'NO_LOCAL_RUNNER');
      assert.match(volume.body.hint, /BERTH_LOCAL_RUNNER=false/);
      const volumes = await stack!.api('GET', '/volumes');
      assert.ok(!(volumes.body as { name: string }[]).some((v) => v.name === 'api-only-vol'), 'nothing was kept');

      const missing = await stack!.api('POST', '/sandbox', { image: 'berth-test/on-no-runner:1', cpu: 1, memory: 1 });
      assert.equal(missing.status, 409, JSON.stringify(missing.body));
      assert.equal(missing.body.reason, 'IMAGE_NOT_ON_RUNNERS');
      assert.match(missing.body.hint, /docker pull berth-test\/on-no-runner:1/);
      assert.match(missing.body.hint, /BERTH_REGISTRY_URL/);
    });
  });

  describe('an API-only replica with BERTH_REGISTRY_URL', () => {
    let stack: Stack | undefined;
    let holder: RemoteRunner | undefined;
    let registry: OpenRegistry | undefined;
    let url = '';
    const tag = randomBytes(4).toString('hex');
    const ref = `berth-test/api-only-registry:${tag}`;
    const hostSocket = process.env.BERTH_DOCKER_SOCKET ?? '/var/run/docker.sock';
    const hostDocker = (...args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile('docker', ['-H', `unix://${hostSocket}`, ...args], (e, out, err) =>
          e ? reject(new Error(`docker ${args.join(' ')}: ${err || e.message}`)) : resolve(out),
        ),
      );

    before(async () => {
      if (!existsSync(REGISTRY_BIN)) return; // the test says so (skipOrFail)
      registry = await startOpenRegistry(await freePort());
      url = registry.url;
      // The image is in the registry under the name distribution uses, and on no engine a runner drives.
      await hostDocker('tag', 'berth-test/busybox:static', `${url}/${ref}`);
      await hostDocker('push', `${url}/${ref}`);
      await hostDocker('rmi', `${url}/${ref}`);
      stack = await startStack({
        config: { localRunner: false, dockerSocket: join(tmpdir(), 'berth-no-such', 'docker.sock'), registryUrl: url },
      });
      holder = await startRemoteRunner(stack, engine(), {
        name: 'api-only-puller',
        env: { DOCKER_HOST: `unix://${hostSocket}` },
      });
    });
    after(async () => {
      await holder?.stop();
      await stack?.close();
      await registry?.close();
      // By the references this test made, never by id (REVIEW 26).
      for (const r of [ref, `${url}/${ref}`]) await hostDocker('rmi', r).catch(() => '');
    });

    it("pulls an image no runner holds from the registry onto the sandbox's runner", async (t) => {
      if (!stack) return skipOrFail(t, `${REGISTRY_BIN} (scripts/test-registry.sh installs it)`);
      assert.equal((await hostDocker('images', '-q', ref)).trim(), '', 'on no engine yet');
      const r = await stack!.api('POST', '/sandbox', { image: ref, cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const id = r.body.id as string;
      try {
        const state = await until(
          'started',
          async () => (await stack!.api('GET', `/sandbox/${id}`)).body.state as string,
          (st) => st === 'started' || st === 'error',
          30_000,
        );
        assert.equal(state, 'started');
        assert.notEqual(
          (await hostDocker('images', '-q', ref)).trim(),
          '',
          "on the runner's engine under its own name",
        );
        assert.equal((await hostDocker('images', '-q', `${url}/${ref}`)).trim(), '', "the registry's name dropped");
        assert.equal((await exec(stack!, id, 'echo pulled')).result.trim(), 'pulled');
        const missing = await stack!.api('POST', '/sandbox', { image: `${ref}-not-pushed`, cpu: 1, memory: 1 });
        // One the registry lacks is refused at once, naming what was asked of the registry.
        assert.equal(missing.status, 400, JSON.stringify(missing.body));
        assert.equal(missing.body.code, 'invalid_argument');
        assert.ok((missing.body.message as string).includes(`${url}/${ref}-not-pushed`), missing.body.message);
      } finally {
        await stack!.api('DELETE', `/sandbox/${id}`);
        await until(
          'container removed',
          async () => (await docker.listContainers({ all: true, filters: { label: [`berth.sandbox=${id}`] } })).length,
          (n) => n === 0,
          30_000,
        );
      }
    });
  });
}

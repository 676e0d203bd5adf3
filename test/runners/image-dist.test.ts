// Image distribution to a remote runner: a `berth runner` on a second, EMPTY
// Docker engine (test/helpers/engine-rig.ts) gets the sandbox base image from
// the server's engine through ImageDistributor.ensure — streamed over the
// runner's link (docker save | load), or (a small image) through a real
// cluster registry (Debian's docker-registry on the host's 127.0.0.1, which the
// rig's engine reaches on its own loopback through a forwarder). What a user would observe: the image is there with the same
// id, sandboxes created through the API on that runner start from it and run a
// command, two creates at once share one transfer, each sandbox's progress
// lines reach the organization's Socket.IO clients (`sandbox.progress`) about
// once a second from the first to the last, the web UI's sandbox page shows
// the latest while the sandbox is being made, and failures say why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { exec, SMALL_IMAGE, TEST_IMAGE, type Stack } from '../helpers/stack.js';
import { REGISTRY_BIN, startOpenRegistry, type OpenRegistry } from '../helpers/open-registry.js';
import { freePort } from '../helpers/free-port.js';
import { signIn, uiStack, watchedPage, type UiStack } from '../webui/helpers.js';
import { docker } from '../helpers/docker.js';
import { engineRigMissing, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';
import { startRemoteRunner, until, type RemoteRunner } from '../helpers/remote-runner.js';
import { skipOrFail, skipUnless } from '../helpers/strict.js';
import { AppError } from '../../common/errors.js';
import { systemClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { ImageDistributor } from '../../orchestrator/runners/images.js';
import type { RunnerClient } from '../../common/wire/runner.js';

/** Counts the streamed loads a RunnerClient receives. */
function counting(client: RunnerClient): { client: RunnerClient; loads: () => number } {
  let loads = 0;
  const wrapped = new Proxy(client, {
    get(target, prop) {
      if (prop === 'loadImage')
        return (...a: Parameters<RunnerClient['loadImage']>) => {
          loads++;
          return target.loadImage(...a);
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { client: wrapped, loads: () => loads };
}

const localId = async (ref: string) => (await docker.getImage(ref).inspect()).Id;
const rigId = async (rig: EngineRig, ref: string) =>
  (await rig.docker('image', 'inspect', '--format', '{{.Id}}', ref).catch(() => '')).trim();

describe('images on a remote runner with an empty engine', { skip: skipUnless(engineRigMissing()) }, () => {
  let rig: EngineRig | undefined;
  let ui: UiStack | undefined;
  let stack: Stack | undefined;
  let remote: RemoteRunner | undefined;
  let registry: OpenRegistry | undefined;
  let client: RunnerClient;
  let runnerId = '';
  let registryPort = 0;

  before(async () => {
    registryPort = await freePort();
    rig = await startEngineRig(null, { hostPorts: [registryPort] });
    assert.equal((await rig.docker('images', '-q')).trim(), '', 'the rig starts empty');
    // Sandboxes with target "far" go to the remote runner only, never to the embedded one (region home).
    ui = await uiStack({ config: { runnerLabels: 'region=home' } });
    stack = ui.stack;
    remote = await startRemoteRunner(stack, rig, { name: 'empty-engine', labels: { region: 'far' } });
    runnerId = remote.id;
    client = stack.server.orch.runnerLinks.client(runnerId);
  });
  after(async () => {
    await remote?.stop();
    await registry?.close();
    // By the reference this test made, never by id (REVIEW 26).
    await docker
      .getImage(`127.0.0.1:${registryPort}/${SMALL_IMAGE}`)
      .remove()
      .catch(() => {});
    await rig?.close();
    await ui?.close();
  });

  const distributor = (registryUrl?: string) =>
    new ImageDistributor({ local: stack!.server.runner, registryUrl, log: silentLogger, clock: systemClock });

  it('refuses an image the server lacks too, with IMAGE_NOT_FOUND and a hint', async () => {
    await assert.rejects(
      () => distributor().ensure(client, 'berth-test/no-such-image:nope'),
      (e: unknown) =>
        e instanceof AppError &&
        e.code === 'invalid_argument' &&
        e.reason === 'IMAGE_NOT_FOUND' &&
        /docker pull/.test(e.hint ?? ''),
    );
  });

  it('streams the base image over the link once for two sandboxes created at once; their events carry the progress', async () => {
    // Every `sandbox.progress` the organization's Socket.IO clients get, as the SDK connects.
    const socket: Socket = io(stack!.url, {
      path: '/api/socket.io/',
      transports: ['websocket'],
      auth: { token: stack!.key },
      reconnection: false,
    });
    const seen: { at: number; sandboxId: string; line: string }[] = [];
    socket.on('sandbox.progress', (p: { sandboxId: string; line: string }) => seen.push({ at: Date.now(), ...p }));
    const created: string[] = [];
    socket.on('sandbox.created', (s: { id: string }) => created.push(s.id));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const { page, problems } = await watchedPage(await ui!.context());
    await signIn(page, ui!.base, stack!.key);
    const since = Math.floor(Date.now() / 1000) - 1;
    const ids: string[] = [];
    const sendingRe = new RegExp(
      `^sending image ${TEST_IMAGE} to runner ${runnerId}: [0-9.]+ [kMG]?B of [0-9.]+ [MG]B$`,
    );
    try {
      const create = () =>
        stack!.api('POST', '/sandbox', { cpu: 1, memory: 1, disk: 2, target: 'far', autoStopInterval: 0 });
      const creating = Promise.all([create(), create()]);
      creating.catch(() => {});
      // Meanwhile in the web UI: the page of the first sandbox shows its latest line beside its state.
      const first = await until(
        'a sandbox created',
        async () => created[0],
        (id) => !!id,
        60_000,
      );
      await page.goto(`${ui!.base}/sandboxes/${first}`);
      const progress = page.locator('.page-head .progress-line');
      await progress.filter({ hasText: /^sending image / }).waitFor({ timeout: 120_000 });
      assert.match((await progress.textContent()) ?? '', sendingRe);
      for (const r of await creating) {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        ids.push(r.body.id as string);
      }
      for (const id of ids)
        await until(
          `sandbox ${id} started`,
          async () => (await stack!.api('GET', `/sandbox/${id}`)).body.state,
          (st) => st === 'started' || st === 'error',
          300_000,
        ).then((st) => assert.equal(st, 'started'));
      // Made: the line is gone from the page.
      await progress.waitFor({ state: 'detached', timeout: 30_000 });
      assert.deepEqual(problems.list, []);
      for (const id of ids) {
        assert.match(
          await rig!.docker('ps', '-q', '--filter', `label=berth.sandbox=${id}`),
          /\w/,
          'on the remote runner',
        );
        const r = await exec(stack!, id, 'python3 -c "print(6*7)"');
        assert.equal(r.exitCode, 0, r.result);
        assert.equal(r.result.trim(), '42');
      }
      assert.equal(await rigId(rig!, TEST_IMAGE), await localId(TEST_IMAGE), 'the same image id on the runner');
      const loads = await rig!.docker(
        ...['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1)],
        ...['--filter', 'type=image', '--filter', 'event=load', '--format', '{{.Action}}'],
      );
      assert.equal(loads.trim().split('\n').filter(Boolean).length, 1, `one transfer for two sandboxes: ${loads}`);

      // The last line reaches the sockets right after the transfer, before the starts: it is here by now.
      const lines = ids.map((id) => seen.filter((e) => e.sandboxId === id));
      const lastRe = new RegExp(`^image ${TEST_IMAGE} is on runner ${runnerId} \\(.* in .* s\\)$`);
      for (const mine of lines) {
        const sending = mine.filter((l) => l.line.startsWith('sending'));
        assert.ok(sending.length >= 2, JSON.stringify(mine));
        for (const l of sending) assert.match(l.line, sendingRe);
        // Timed on arrival here, after the bus and Socket.IO: a little slack around the server's 1 s.
        for (let i = 1; i < sending.length; i++)
          assert.ok(sending[i]!.at - sending[i - 1]!.at >= 800, 'at most about one line a second');
        assert.match(mine.at(-1)!.line, lastRe);
      }
      // One transfer: the sandbox that joined it later got the line sent last at once, then the same lines.
      const [long, short] = lines[0]!.length >= lines[1]!.length ? [lines[0]!, lines[1]!] : [lines[1]!, lines[0]!];
      assert.match(long[0]!.line, new RegExp(`^sending image ${TEST_IMAGE} to runner ${runnerId}: 0 B of `));
      assert.deepEqual(
        short.map((l) => l.line),
        long.slice(long.length - short.length).map((l) => l.line),
      );
    } finally {
      socket.disconnect();
      await page.close();
      for (const id of new Set([...created, ...ids])) await stack!.api('DELETE', `/sandbox/${id}`);
      for (const id of new Set([...created, ...ids]))
        await until(
          'container removed',
          () => rig!.docker('ps', '-aq', '--filter', `label=berth.sandbox=${id}`),
          (out) => out.trim() === '',
        );
    }

    // Present now: a later call returns without sending anything.
    const { client: counted, loads } = counting(client);
    await distributor().ensure(counted, TEST_IMAGE);
    assert.equal(loads(), 0);
  });

  it("reads the runner's own copy back as a tar, and names a missing image", async () => {
    const tar = await client.saveImage(TEST_IMAGE);
    let head = Buffer.alloc(0);
    for await (const c of tar) {
      head = Buffer.concat([head, c as Buffer]);
      if (head.length >= 512) break; // leaving the loop cancels the stream, and the engine's save with it
    }
    assert.equal(head.subarray(257, 262).toString('latin1'), 'ustar', 'a tar archive');
    await assert.rejects(
      () => client.saveImage('berth-test/no-such-image:nope'),
      (e: unknown) => e instanceof AppError && e.code === 'invalid_argument' && e.reason === 'IMAGE_NOT_FOUND',
    );
  });

  it('goes through the cluster registry when BERTH_REGISTRY_URL is set', async (t) => {
    if (!existsSync(REGISTRY_BIN)) return skipOrFail(t, `${REGISTRY_BIN} (scripts/test-registry.sh installs it)`);
    registry = await startOpenRegistry(registryPort);
    const url = registry.url;

    assert.equal(await rigId(rig!, SMALL_IMAGE), '', 'not on the runner yet');
    const { client: counted, loads } = counting(client);
    const lines: string[] = [];
    await distributor(url).ensure(counted, SMALL_IMAGE, (l) => lines.push(l));
    assert.equal(loads(), 0, 'nothing streamed over the link');
    assert.equal(await rigId(rig!, SMALL_IMAGE), await localId(SMALL_IMAGE), 'the same image id on the runner');
    assert.equal(await rigId(rig!, `${url}/${SMALL_IMAGE}`), '', "the registry's name is dropped there");
    assert.ok(
      lines.some((l) => l.startsWith(`pushing image ${SMALL_IMAGE} to ${url}`)),
      JSON.stringify(lines),
    );
    assert.ok(
      lines.some((l) => l.startsWith(`runner ${runnerId} is pulling image ${SMALL_IMAGE} from ${url}`)),
      JSON.stringify(lines),
    );
    assert.match(lines.at(-1)!, /is on runner/);
  });

  it('reports a transfer the runner drops as unavailable, and the runner has no half image', async () => {
    await rig!.docker('rmi', TEST_IMAGE);
    let killed = false;
    const failure = distributor()
      .ensure(client, TEST_IMAGE, (line) => {
        // Once bytes flow, the runner dies (kill -9): the link and its stream go with it.
        if (!killed && /: [1-9][0-9.]* [kMG]B of/.test(line)) {
          killed = true;
          remote!.proc.child.kill('SIGKILL');
        }
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    const e = await failure;
    assert.equal(killed, true, 'bytes were flowing when the runner died');
    assert.ok(e instanceof AppError && e.code === 'unavailable' && !!e.hint, String(e));
    assert.equal(await rigId(rig!, TEST_IMAGE), '', 'nothing tagged on the runner');
  });
});

// kill -9 of the API while it creates a sandbox on a remote runner (a `berth
// runner` on a SECOND Docker engine, which keeps running and dials the
// restarted API again by itself). What a user would observe: the create's
// Idempotency-Key gives back the one sandbox; it ends up started on that
// runner, with exactly one container there and none on the API's engine; a
// command runs in it. The same during a `drain --migrate`: killed after the
// archive was copied, or after the sandbox's row switched runner, a second
// drain finishes the move and the sandbox starts on the other runner with
// its files, in one place. And a stop, archive or delete of a sandbox on the
// remote runner, with the API killed after the runner did its part, or the
// `berth runner` itself killed in the middle of it: the sandbox ends in the
// state asked for, with its files, on that runner only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { docker } from '../helpers/docker.js';
import type { EngineRig } from '../helpers/engine-rig.js';
import { crashRig, type CrashRig } from '../helpers/crash-rig.js';
import { SMALL_IMAGE } from '../helpers/stack.js';
import { startRemoteRunner, until, type RemoteRunner } from '../helpers/remote-runner.js';

export function crashRemoteCases(engine: () => EngineRig): void {
  describe('kill -9 of the API or the runner mid-operation on a remote runner', () => {
    let rig: CrashRig | undefined;
    let remote: RemoteRunner | undefined;

    before(async () => {
      rig = await crashRig('crash-remote', { BERTH_RUNNER_LABELS: 'region=home', BERTH_DEFAULT_IMAGE: SMALL_IMAGE });
      await rig.up();
      const host = { apiUrl: `${rig.url}/api`, api: (m: string, p: string, b?: unknown) => rig!.api(m, p, b) };
      remote = await startRemoteRunner(host, engine(), { name: 'eu-crash', labels: { region: 'eu' } });
    });
    after(async () => {
      await remote?.stop();
      await rig?.close();
    });

    for (const point of ['create:inserted', 'reconcile:start:done']) {
      it(`killed at ${point}, the sandbox comes up once, on the remote runner`, async () => {
        const key = randomUUID();
        const body = { target: 'eu', cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 };
        // The runner dials the new server with back-off: until it is linked, the create finds no room (503).
        await rig!.crashDuring(point, async () => {
          for (let i = 0; i < 120; i++) {
            const r = await rig!.api('POST', '/sandbox', body, { 'Idempotency-Key': key });
            if (r.status !== 503) throw new Error(`the create answered ${r.status} instead of crashing the server`);
            await new Promise((res) => setTimeout(res, 250));
          }
        });
        const again = await rig!.api('POST', '/sandbox', body, { 'Idempotency-Key': key });
        assert.equal(again.status, 200, JSON.stringify(again.body));
        const id = again.body.id as string;
        assert.equal(await rig!.settledState(id), 'started');
        const label = `berth.sandbox=${id}`;
        assert.equal(
          (await engine().docker('ps', '-aq', '--filter', `label=${label}`)).split('\n').filter(Boolean).length,
          1,
        );
        assert.equal((await docker.listContainers({ all: true, filters: { label: [label] } })).length, 0);
        const r = await rig!.api('POST', `/toolbox/${id}/process/execute`, { command: 'echo up' });
        assert.equal(r.body.result, 'up\n', JSON.stringify(r.body));
        await rig!.api('DELETE', `/sandbox/${id}`);
      });
    }

    /** Polls the runner's listing until `ok` holds (the runner dials a restarted server with back-off). */
    const runnerUntil = async (what: string, ok: (r: Record<string, unknown>) => boolean) => {
      for (let i = 0; i < 240; i++) {
        const r = (await rig!.api('GET', `/runners/${remote!.id}`)).body as Record<string, unknown>;
        if (ok(r)) return r;
        await new Promise((res) => setTimeout(res, 250));
      }
      throw new Error(`runner: ${what} not within a minute`);
    };

    for (const point of ['move:copied', 'move:switched']) {
      it(`killed at ${point} of a drain --migrate, the sandbox is in one place with its files`, async () => {
        await runnerUntil('linked', (r) => r.state !== 'unreachable');
        await rig!.api('POST', `/runners/${remote!.id}/enable`);
        let id = '';
        for (let i = 0; i < 16 && !id; i++) {
          const made = await rig!.api('POST', '/sandbox', { cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 });
          assert.equal(made.status, 200, JSON.stringify(made.body));
          const there = await engine().docker('ps', '-aq', '--filter', `label=berth.sandbox=${made.body.id}`);
          if (there.trim()) id = made.body.id as string;
          else await rig!.api('DELETE', `/sandbox/${made.body.id}`);
        }
        assert.ok(id, 'a sandbox on the remote runner');
        await rig!.api('POST', `/toolbox/${id}/process/execute`, { command: 'echo moved-once > mine.txt' });
        await rig!.api('POST', `/sandbox/${id}/stop`);
        assert.equal((await rig!.api('POST', `/sandbox/${id}/archive`)).body.state, 'archived');

        // The restarted server crashes at `point` once the runner has linked to it and the move reaches there;
        // until it has linked, each drain leaves the sandbox where it is (not linked), and is asked again.
        await rig!.crashDuring(point, async () => {
          for (let i = 0; i < 240; i++) {
            await rig!.api('POST', `/runners/${remote!.id}/drain?migrate=true`);
            await runnerUntil('migration done', (r) => (r.migration as { state?: string })?.state === 'done');
            await new Promise((res) => setTimeout(res, 250));
          }
        });
        // Again after the restart: it moves what is left to move, or finds it moved.
        await runnerUntil('linked', (r) => r.state !== 'unreachable');
        await rig!.api('POST', `/runners/${remote!.id}/drain?migrate=true`);
        const done = await runnerUntil('migrated', (r) => (r.migration as { state?: string })?.state === 'done');
        assert.deepEqual((done.migration as { left: unknown[] }).left, [], JSON.stringify(done));
        assert.equal(done.sandboxes, 0, JSON.stringify(done));
        assert.equal(await rig!.settledState(id), 'archived');
        const started = await rig!.api('POST', `/sandbox/${id}/start`);
        assert.equal(started.body.state, 'started', JSON.stringify(started.body));
        const label = `berth.sandbox=${id}`;
        assert.equal((await docker.listContainers({ all: true, filters: { label: [label] } })).length, 1);
        assert.equal((await engine().docker('ps', '-aq', '--filter', `label=${label}`)).trim(), '');
        const r = await rig!.api('POST', `/toolbox/${id}/process/execute`, { command: 'cat mine.txt' });
        assert.equal(r.body.result, 'moved-once\n', JSON.stringify(r.body));
        await rig!.api('DELETE', `/sandbox/${id}`);
      });
    }

    /** A started sandbox on the remote runner (target "eu"), holding a marker file. */
    const onRemote = async () => {
      await runnerUntil('linked', (r) => r.state !== 'unreachable');
      await rig!.api('POST', `/runners/${remote!.id}/enable`); // the migrate cases leave it draining
      const body = { target: 'eu', cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 };
      const made = await rig!.api('POST', '/sandbox', body);
      assert.equal(made.status, 200, JSON.stringify(made.body));
      const id = made.body.id as string;
      const w = await rig!.api('POST', `/toolbox/${id}/process/execute`, { command: 'echo precious > marker.txt' });
      assert.equal(w.body.exitCode, 0, JSON.stringify(w.body));
      return id;
    };
    /** The sandbox's containers: on the remote runner's engine, and on the API's. */
    const placed = async (id: string) => ({
      remote: (await engine().docker('ps', '-aq', '--filter', `label=berth.sandbox=${id}`)).split(/\s+/).filter(Boolean)
        .length,
      local: (await docker.listContainers({ all: true, filters: { label: [`berth.sandbox=${id}`] } })).length,
    });
    /** Calls `op` until the process it should crash has died (it may answer 503 until the runner has linked). */
    const untilDead = (op: () => Promise<unknown>, dead: () => boolean) => async () => {
      for (let i = 0; i < 240 && !dead(); i++) {
        if ((await op().catch(() => null)) === null) return;
        await new Promise((res) => setTimeout(res, 250));
      }
    };
    /** Waits for the state a user asked for (a runner killed mid-call may pass through `error` on the way). */
    const becomes = (id: string, want: string) =>
      until(
        `sandbox ${want}`,
        async () => {
          const r = await rig!.api('GET', `/sandbox/${id}`);
          return r.status === 404 ? 'gone' : (r.body.state as string);
        },
        (s) => s === want,
      );
    const afterwards = async (id: string, end: string) => {
      assert.deepEqual(await placed(id), { remote: end === 'stopped' ? 1 : 0, local: 0 });
      if (end === 'gone') return;
      const started = await rig!.api('POST', `/sandbox/${id}/start`);
      assert.equal(started.body.state, 'started', JSON.stringify(started.body));
      assert.deepEqual(await placed(id), { remote: 1, local: 0 });
      const r = await rig!.api('POST', `/toolbox/${id}/process/execute`, { command: 'cat marker.txt' });
      assert.equal(r.body.result, 'precious\n', JSON.stringify(r.body));
      await rig!.api('DELETE', `/sandbox/${id}`);
    };
    const OPS = {
      stop: { call: (id: string) => rig!.api('POST', `/sandbox/${id}/stop`), end: 'stopped', stopFirst: false },
      archive: { call: (id: string) => rig!.api('POST', `/sandbox/${id}/archive`), end: 'archived', stopFirst: true },
      delete: { call: (id: string) => rig!.api('DELETE', `/sandbox/${id}`), end: 'gone', stopFirst: false },
    };

    for (const [op, point] of [
      ['stop', 'reconcile:stop:done'],
      ['archive', 'reconcile:archive:done'],
      ['delete', 'reconcile:destroy:done'],
    ] as const) {
      it(`API killed at ${point}: the ${op} of a sandbox on the remote runner ends ${OPS[op].end}, files kept`, async () => {
        const id = await onRemote();
        if (OPS[op].stopFirst) assert.equal((await OPS.stop.call(id)).body.state, 'stopped');
        await rig!.crashDuring(
          point,
          untilDead(
            () => OPS[op].call(id),
            () => false,
          ),
        );
        await runnerUntil('linked', (r) => r.state !== 'unreachable');
        await becomes(id, OPS[op].end);
        await afterwards(id, OPS[op].end);
      });
    }

    for (const [op, point] of [
      ['archive', 'archive:exported'],
      ['delete', 'destroy:removed'],
    ] as const) {
      it(`runner killed at ${point}: the ${op} finishes once it is back, files kept`, async () => {
        const id = await onRemote();
        if (OPS[op].stopFirst) assert.equal((await OPS.stop.call(id)).body.state, 'stopped');
        remote!.proc.child.kill('SIGTERM');
        await remote!.proc.done;
        await remote!.restart({ BERTH_CRASH_AT: point });
        const crashing = remote!.proc;
        let died = false;
        void crashing.done.then(() => (died = true));
        // A call may wait for the sandbox to settle, which needs the runner back: each gets a second, no more.
        const brief = () => Promise.race([OPS[op].call(id).catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
        await untilDead(brief, () => died)();
        assert.deepEqual(
          { signal: (await crashing.done).signal },
          { signal: 'SIGKILL' },
          `runner did not crash at ${point}:\n${crashing.err}`,
        );
        await remote!.restart();
        await becomes(id, OPS[op].end);
        await afterwards(id, OPS[op].end);
      });
    }
  });
}

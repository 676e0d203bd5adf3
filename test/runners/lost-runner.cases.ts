// A runner lost for good: its host is gone (here: `berth runner` killed and
// never started again), and an administrator removes it with
// `berth runner token remove NAME --force`. Both the server and the runner
// keep archives in one external S3 store (BERTH_ARCHIVE_STORE=s3), so a
// sandbox the runner had archived is restored on the embedded runner with its
// files; one that was running there is lost, and says so. A runner that is
// still linked is refused --force.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, exec, SMALL_IMAGE, startStack, type Stack } from '../helpers/stack.js';
import type { EngineRig } from '../helpers/engine-rig.js';
import { startRemoteRunner, type RemoteRunner } from '../helpers/remote-runner.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';
import { cliEnv, runCli } from '../cli/helpers.js';
import type { Json } from '../helpers/json.js';

export function lostRunnerCases(engine: () => EngineRig): void {
  describe('a runner lost for good, removed with --force', () => {
    let stack: Stack | undefined;
    let remote: RemoteRunner | undefined;
    let s3: S3Server | undefined;
    let dir = '';
    const made: string[] = [];

    before(async () => {
      s3 = await startS3Server('berth-archives');
      const store = { s3Url: s3.url, s3AccessKey: s3.accessKey, s3SecretKey: s3.secretKey, s3Bucket: s3.bucket };
      stack = await startStack({
        config: {
          ...store,
          archiveStore: 's3',
          runnerLabels: 'region=home',
          runnerTimeoutSeconds: 6,
          defaultImage: SMALL_IMAGE,
        },
      });
      remote = await startRemoteRunner(stack, engine(), {
        name: 'gone-1',
        labels: { region: 'eu' },
        env: {
          BERTH_ARCHIVE_STORE: 's3',
          BERTH_S3_URL: s3.url,
          BERTH_S3_ACCESS_KEY: s3.accessKey,
          BERTH_S3_SECRET_KEY: s3.secretKey,
          BERTH_S3_BUCKET: s3.bucket,
        },
      });
      dir = mkdtempSync(join(tmpdir(), 'berth-lost-runner-'));
    });
    after(async () => {
      for (const id of made) await stack?.api('DELETE', `/sandbox/${id}`).catch(() => {});
      // What the lost runner left running on its engine: nobody drives it any more.
      for (const id of made)
        await engine()
          .docker('rm', '-f', `berth-${id}`)
          .catch(() => '');
      await remote?.stop();
      await stack?.close();
      await s3?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('restores what the runner archived in the store, marks the rest lost, and refuses a runner still linked', async () => {
      const env = cliEnv(stack!, join(dir, 'cli.json'));
      const linked = await runCli(['runner', 'token', 'remove', 'gone-1', '--force'], env);
      assert.equal(linked.code, 5, linked.err);
      assert.match(linked.err, /gone-1 is ready, not unreachable/);
      assert.match(linked.err, /berth runner drain NAME --migrate/);

      const archived = (await createSandbox(stack!, { target: 'eu', cpu: 1, memory: 1, disk: 2 })).id as string;
      const running = (await createSandbox(stack!, { target: 'eu', cpu: 1, memory: 1, disk: 2 })).id as string;
      made.push(archived, running);
      await exec(stack!, archived, 'echo kept-in-the-store > mine.txt');
      assert.equal((await stack!.api('POST', `/sandbox/${archived}/stop`)).body.state, 'stopped');
      assert.equal((await stack!.api('POST', `/sandbox/${archived}/archive`)).body.state, 'archived');
      const info = (await stack!.api('GET', `/runners/${remote!.id}`)).body as Json;
      const prefix = (info.capacity as Json).archivePrefix as string;
      assert.match(prefix, /^archives\/runner-[0-9a-f]{8}\/$/, JSON.stringify(info.capacity));
      assert.deepEqual(s3!.keys(prefix), [`${prefix}${archived}.tar`], "the runner's archive is in the store");

      await remote!.kill();
      const removed = await runCli(['runner', 'token', 'remove', 'gone-1', '--force'], env);
      assert.equal(removed.code, 0, removed.err);
      assert.match(removed.out, /removed runner gone-1/);
      assert.match(removed.out, new RegExp(`restored from its last archive .*${archived}`));
      assert.match(removed.out, new RegExp(`lost .*${running}`));
      assert.equal((await stack!.api('GET', `/runners/${remote!.id}`)).status, 404);

      const lost = (await stack!.api('GET', `/sandbox/${running}`)).body as Json;
      assert.equal(lost.state, 'error', JSON.stringify(lost));
      assert.match(lost.errorReason, /runner gone-1 was removed while unreachable .* its files are lost/);
      assert.equal(lost.recoverable, true, 'starting it again gives a fresh filesystem, as the reason says');

      assert.equal(((await stack!.api('GET', `/sandbox/${archived}`)).body as Json).state, 'archived');
      const started = await stack!.api('POST', `/sandbox/${archived}/start`);
      assert.equal(started.body.state, 'started', JSON.stringify(started.body));
      assert.equal((await exec(stack!, archived, 'cat mine.txt')).result.trim(), 'kept-in-the-store');
      assert.deepEqual(s3!.keys(prefix), [], 'taken over from the lost runner');
    });
  });
}

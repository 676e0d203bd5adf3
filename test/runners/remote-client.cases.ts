// Runner calls and daemon streams over a runner's link: a RemoteRunnerClient
// drives a real `berth runner` whose engine is a SECOND dockerd (its own
// network namespace, test/helpers/engine-rig.ts). What a user would observe:
// the sandbox starts there (and not on the server's engine), a command runs,
// a file goes in and comes back byte-exact, a tunnel reaches a port inside,
// errors come back as the runner's AppErrors, stop and destroy work.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { startStack, type Stack } from '../helpers/stack.js';
import { docker } from '../helpers/docker.js';
import type { EngineRig } from '../helpers/engine-rig.js';
import { AppError } from '../../common/errors.js';
import type { RunnerClient } from '../../common/wire/runner.js';
import { startRemoteRunner, until, type RemoteRunner } from '../helpers/remote-runner.js';
import { runtimeSpec } from '../helpers/runtime-spec.js';

export function remoteClientCases(engine: () => EngineRig): void {
  describe('a remote runner on a second Docker engine', () => {
    let stack: Stack | undefined;
    let remote: RemoteRunner | undefined;
    let client: RunnerClient;

    before(async () => {
      stack = await startStack();
      remote = await startRemoteRunner(stack, engine(), { name: 'second-engine' });
      client = stack.server.orch.runnerLinks.client(remote.id);
    });
    after(async () => {
      await remote?.stop();
      await stack?.close();
    });

    it('starts a sandbox there, runs a command, moves files byte-exact, tunnels, stops and destroys it', async () => {
      const health = await client.health();
      assert.equal(health.ok, true, health.error);
      const sandboxId = randomUUID();
      const spec = runtimeSpec({ sandboxId, organizationId: stack!.organizationId, env: { GREETING: 'hi' } });
      await client.ensureStarted(spec);
      const label = `berth.sandbox=${sandboxId}`;
      assert.match(
        await engine().docker('ps', '-q', '--filter', `label=${label}`),
        /\S/,
        'running on the second engine',
      );
      assert.equal(
        (await docker.listContainers({ all: true, filters: { label: [label] } })).length,
        0,
        'not the first',
      );
      const seen = await client.observe(sandboxId);
      assert.equal(seen.running && seen.ready, true, JSON.stringify(seen));

      const d = client.daemon(sandboxId);
      const r = await d.exec({ command: 'echo $GREETING' });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout, 'hi\n');

      const bytes = randomBytes(3 << 20);
      await d.upload('/tmp/blob.bin', Readable.from([bytes]));
      const down = await d.download('/tmp/blob.bin');
      const chunks: Buffer[] = [];
      for await (const c of down.stream) chunks.push(c as Buffer);
      assert.equal(Buffer.compare(Buffer.concat(chunks), bytes), 0, 'byte-exact round trip');

      await d.exec({ command: 'cd /tmp && (nohup python3 -m http.server 8123 >/dev/null 2>&1 &)' });
      const reply = await until(
        'tunnel answer',
        async () => {
          try {
            const t = await d.tunnel({ port: 8123 });
            t.end(Buffer.from('GET /blob.bin HTTP/1.0\r\nHost: x\r\n\r\n'));
            const got: Buffer[] = [];
            for await (const c of t) got.push(c as Buffer);
            return Buffer.concat(got);
          } catch {
            return Buffer.alloc(0);
          }
        },
        (b) => b.includes('200 OK'),
        20_000,
      );
      assert.equal(reply.subarray(reply.indexOf('\r\n\r\n') + 4).equals(bytes), true, 'the file through the tunnel');

      // Errors come back as the AppErrors the runner and the daemon raised.
      await assert.rejects(
        () => d.stat('/no/such/file'),
        (e: unknown) => e instanceof AppError && e.code === 'not_found',
      );
      await assert.rejects(
        () => client.commitSandbox('no-such-sandbox', 'berth-test/remote-commit:x', {}),
        (e: unknown) => e instanceof AppError && e.code !== 'internal' && !!e.message,
      );

      await client.ensureStopped(sandboxId);
      assert.equal((await client.observe(sandboxId)).running, false);
      await client.ensureDestroyed(sandboxId);
      assert.equal((await client.observe(sandboxId)).exists, false);
      assert.equal((await engine().docker('ps', '-aq', '--filter', `label=${label}`)).trim(), '');
    });

    it('keeps its one link to a lone replica: the replica list names no other to dial', async () => {
      // The replica posts its list at registration and on every heartbeat; by now it has done both.
      await until(
        'a heartbeat',
        async () => (await stack!.api('GET', `/runners/${remote!.id}`)).body,
        (r) => !!r.usage,
      );
      assert.equal(remote!.proc.err.match(/linked to the API/g)?.length, 1, remote!.proc.err);
      assert.doesNotMatch(remote!.proc.err, /linking to replica/);
    });

    it('calls that need callbacks are refused with a hint, not faked', async () => {
      await assert.rejects(
        () => client.pullImage('busybox', null, () => {}),
        (e: unknown) => e instanceof AppError && e.code === 'unavailable' && /scale-out/.test(e.hint ?? ''),
      );
    });
  });
}

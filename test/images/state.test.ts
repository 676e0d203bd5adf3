// Sandbox state operations with the real SDK: snapshot of a sandbox and a
// create from it, fork independence, pause/resume keeping a process's memory
// and auto-pause, live resize visible in the cgroup, pre-signed file URLs
// before and after expiry and key rotation, and metric/log history.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaytonaConflictError, Image, type Sandbox } from '@daytonaio/sdk';
import { eventually, sdkStack, type SdkStack } from '../sdk/helpers.js';
import { docker } from '../helpers/docker.js';
import type { Json } from '../helpers/json.js';

const sh = async (s: Sandbox, cmd: string) => {
  const r = await s.process.executeCommand(cmd);
  assert.equal(r.exitCode, 0, r.result);
  return r.result.trim();
};

describe('images: sandbox state', () => {
  let t: SdkStack;
  before(async () => {
    // Signed-URL refusals count as failed authentications; this file makes several on purpose.
    t = await sdkStack({ config: { metricsIntervalSeconds: 1, rateLimitFailedAuth: 0 } });
    // Test stacks run without background timers; the sampler is the one this file needs.
    t.stack.server.orch.sandboxMetrics.start();
  });
  after(async () => {
    await t?.close();
  });

  it('snapshots a sandbox and creates new sandboxes from it', async () => {
    const s = await t.sandbox({ envVars: { FROM_SOURCE: 'yes' } });
    await sh(s, 'mkdir -p ~/work && echo "state of the source" > ~/work/notes.txt');
    await s.createSnapshot('img-from-sandbox');
    assert.equal((await t.stack.api('GET', `/sandbox/${s.id}`)).body.state, 'started', 'the source keeps running');
    const snap = await t.daytona.snapshot.get('img-from-sandbox');
    assert.equal(snap.state, 'active');
    assert.equal(snap.sourceSandboxId, s.id);
    assert.equal((await t.daytona.snapshot.list({ sourceSandboxId: s.id } as never)).items.length, 1);
    const copy = await t.sandbox({ snapshot: 'img-from-sandbox' });
    assert.equal(await sh(copy, 'cat ~/work/notes.txt'), 'state of the source');
    // The source changes later; the snapshot does not.
    await sh(s, 'echo changed > ~/work/notes.txt');
    const again = await t.sandbox({ snapshot: 'img-from-sandbox' });
    assert.equal(await sh(again, 'cat ~/work/notes.txt'), 'state of the source');
    await assert.rejects(s.createSnapshot('img-from-sandbox'), DaytonaConflictError);
    await assert.rejects(
      t.daytona.snapshot.delete(snap),
      (e: Error) => e instanceof DaytonaConflictError && /used by 2 sandboxes/.test(e.message),
    );
    await copy.delete(60, true);
    await again.delete(60, true);
    const imageName = snap.imageName!;
    await t.daytona.snapshot.delete(snap);
    await assert.rejects(docker.getImage(imageName).inspect(), /no such image/i);
    await s.delete(60, true);
  });

  it('forks a sandbox into an independent one', async () => {
    const s = await t.sandbox({ labels: { team: 'fork' } });
    await sh(s, 'echo original > ~/f.txt');
    const fork = await s.fork({ name: `fork-${Date.now().toString(36)}` } as never);
    assert.notEqual(fork.id, s.id);
    assert.equal(fork.state, 'started');
    assert.equal(fork.labels.team, 'fork');
    assert.equal(fork.cpu, s.cpu);
    assert.equal(await sh(fork, 'cat ~/f.txt'), 'original');
    await sh(fork, 'echo from-fork > ~/f.txt && touch ~/only-in-fork');
    await sh(s, 'echo from-source > ~/f.txt');
    assert.equal(await sh(s, 'cat ~/f.txt'), 'from-source');
    assert.equal(await sh(fork, 'cat ~/f.txt'), 'from-fork');
    assert.equal((await s.process.executeCommand('test -e ~/only-in-fork')).exitCode, 1);
    // Deleting the source leaves the fork whole.
    await s.delete(60, true);
    assert.equal(await sh(fork, 'cat ~/f.txt'), 'from-fork');
    await fork.delete(60, true);
    await assert.rejects(
      docker.getImage(`berth-fork/${t.stack.runnerId}:${fork.id}`).inspect(),
      /no such image/i,
      'the fork image goes with the fork',
    );
  });

  it('pauses and resumes a sandbox, keeping a running process and its memory', async () => {
    const s = await t.sandbox();
    // A process holding state in memory only: a counter it increments and prints on demand.
    await sh(
      s,
      `nohup python3 -c "
import time, signal
data = bytearray(64 * 1024 * 1024)
data[12345] = 42
n = 0
while True:
    n += 1
    open('/tmp/alive', 'w').write(f'{data[12345]} {n}')
    time.sleep(0.1)
" > /dev/null 2>&1 &`,
    );
    await eventually(async () => (await s.process.executeCommand('cat /tmp/alive')).result.startsWith('42 '));
    const pid = await sh(s, 'pgrep -f "bytearray" | head -1');
    await s.pause();
    assert.equal(s.state, 'paused');
    const container = await docker.getContainer(`berth-${s.id}`).inspect();
    assert.equal(container.State.Paused, true, 'frozen by the cgroup freezer');
    // While paused, the toolbox says so with the fix.
    await assert.rejects(s.process.executeCommand('true'), /paused.*start it/);
    const usage = await docker.getContainer(`berth-${s.id}`).stats({ stream: false });
    assert.ok((usage.memory_stats.usage ?? 0) > 64 * 1024 * 1024, 'memory kept while paused');
    await s.start();
    assert.equal(s.state, 'started');
    assert.equal(await sh(s, `pgrep -f "bytearray" | head -1`), pid, 'the same process');
    const before = Number((await sh(s, 'cat /tmp/alive')).split(' ')[1]);
    await new Promise((r) => setTimeout(r, 500));
    const [value, n] = (await sh(s, 'cat /tmp/alive')).split(' ');
    assert.equal(value, '42', 'its memory is intact');
    assert.ok(Number(n) > before, 'and it runs again');

    // Auto-pause: an idle sandbox with autoPauseInterval is paused by the sweep.
    await s.setAutoPauseInterval(1);
    await t.stack.server.store
      .knex('sandboxes')
      .where({ id: s.id })
      .update({ last_activity_at: Date.now() - 120_000 });
    await t.stack.server.orch.reconciler.sweep();
    await eventually(async () => (await t.stack.api('GET', `/sandbox/${s.id}`)).body.state === 'paused', 30_000);
    assert.equal((await t.stack.api('GET', `/sandbox/${s.id}`)).body.autoPauseInterval, 1);
    await s.start();
    assert.equal(await sh(s, `pgrep -f "bytearray" | head -1`), pid);
    await s.stop();
    assert.equal(s.state, 'stopped');
    await s.delete(60, true);
  });

  it('resizes a running sandbox, visible in its cgroup', async () => {
    const s = await t.sandbox();
    const limit = async () =>
      Number(
        await sh(s, 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'),
      );
    const quota = async () =>
      sh(s, 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max');
    assert.equal(await limit(), 1024 ** 3);
    await s.resize({ cpu: 2, memory: 2 });
    assert.equal(s.state, 'started');
    assert.equal(await limit(), 2 * 1024 ** 3);
    assert.match(await quota(), /^200000/);
    await s.delete(60, true);
  });

  it('serves pre-signed file URLs until they expire or the key rotates', async () => {
    const s = await t.sandbox();
    await sh(s, 'echo "signed content" > ~/report.txt');
    const down = await s.downloadUrl('report.txt', 60);
    const got = await fetch(down);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'signed content\n');
    // Upload with no key at all.
    const up = await s.uploadUrl('uploaded/data.bin', 60);
    const put = await fetch(up, { method: 'POST', body: Buffer.from('raw upload') });
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal(await sh(s, 'cat ~/uploaded/data.bin'), 'raw upload');
    // The signature covers method and path: no other file, no other method.
    assert.equal((await fetch(down.replace('report.txt', 'other.txt'))).status, 401);
    assert.equal((await fetch(up.replace('files/upload-v2', 'files/download'))).status, 401);
    // Expired: a URL whose time has passed.
    const expired = await s.downloadUrl('report.txt', 1);
    await new Promise((r) => setTimeout(r, 2100));
    const late = await fetch(expired);
    assert.equal(late.status, 401);
    assert.match(((await late.json()) as { message: string }).message, /expired/);
    // Rotation kills every URL signed before.
    const forever = await s.downloadUrl('report.txt', 0);
    assert.equal((await fetch(forever)).status, 200);
    await s.rotateSigningKey();
    assert.equal((await fetch(forever)).status, 401);
    assert.equal((await fetch(down)).status, 401);
    await new Promise((r) => setTimeout(r, 15_100)); // the SDK caches the key for 15 s
    assert.equal((await fetch(await s.downloadUrl('report.txt', 60))).status, 200);
    await s.delete(60, true);
  });

  it('keeps a metric history under load, and the sandbox logs', async () => {
    const s = await t.sandbox();
    const from = new Date();
    await s.process.executeCommand(
      'timeout 4 sh -c "while :; do :; done"; python3 -c "x = bytearray(200 * 1024 * 1024); import time; time.sleep(3)"; echo done',
      undefined,
      undefined,
      30,
    );
    await t.stack.server.orch.sandboxMetrics.sample();
    const history = await s.getMetrics(from, new Date());
    assert.ok(history.length >= 3, `${history.length} samples`);
    assert.ok(
      history.some((m) => m.cpuUsedPct > 20),
      `cpu under load: ${history.map((m) => m.cpuUsedPct).join(',')}`,
    );
    assert.ok(history.every((m) => m.memTotal === 1024 ** 3 && m.cpuCount === 1));
    assert.ok(
      history.some((m) => m.memUsed > 100 * 1024 * 1024),
      'the 200 MiB allocation shows',
    );
    assert.ok(history.some((m) => m.diskUsed > 0 && m.diskTotal > 0));
    const net = await t.stack.api(
      'GET',
      `/sandbox/${s.id}/telemetry/metrics?from=${from.toISOString()}&metricNames=berth.sandbox.network.rx_bytes`,
    );
    assert.equal(net.body.series[0].metricName, 'berth.sandbox.network.rx_bytes');
    assert.ok(net.body.series[0].dataPoints.length > 0);
    const bad = await t.stack.api('GET', `/sandbox/${s.id}/telemetry/metrics?metricNames=nope`);
    assert.equal(bad.status, 400);
    // PID 1's output (here: what the image's entrypoint printed) through the telemetry logs route.
    const printer = await t.sandbox(
      {
        image: Image.base('berth/sandbox-base:latest').entrypoint([
          'sh',
          '-c',
          'echo hello-from-pid1; echo oops >&2; exec sleep infinity',
        ]),
      },
      300,
    );
    const logs = await eventually(async () => {
      const r = await t.stack.api(
        'GET',
        `/sandbox/${printer.id}/telemetry/logs?from=${new Date(Date.now() - 600_000).toISOString()}&to=${new Date(Date.now() + 1000).toISOString()}`,
      );
      return r.body.total >= 2 ? r : null;
    });
    assert.ok(logs!.body.items.some((l: Json) => l.body === 'hello-from-pid1' && l.severityText === 'INFO'));
    assert.ok(logs!.body.items.some((l: Json) => l.body === 'oops' && l.severityText === 'ERROR'));
    const onlyErrors = await t.stack.api(
      'GET',
      `/sandbox/${printer.id}/telemetry/logs?from=${new Date(Date.now() - 600_000).toISOString()}&severities=ERROR`,
    );
    assert.ok(onlyErrors.body.items.every((l: Json) => l.severityText === 'ERROR'));
    await printer.delete(60, true);
    const traces = await t.stack.api(
      'GET',
      `/sandbox/${s.id}/telemetry/traces?from=${from.toISOString()}&to=${new Date().toISOString()}`,
    );
    assert.deepEqual(traces.body, { items: [], total: 0, page: 1, totalPages: 0 });
    await s.delete(60, true);
  });
});

// The Daytona SDK drives the whole sandbox lifecycle against Berth, unchanged:
// create/get/list/labels/intervals, stop/start/archive/recover/delete with
// waits, live resize and live network settings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaytonaNotFoundError, DaytonaValidationError, type Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';
import { containerOf } from '../helpers/docker.js';

const sh = async (s: Sandbox, cmd: string) => {
  const r = await s.process.executeCommand(cmd);
  assert.equal(r.exitCode, 0, r.result);
  return r.result.trim();
};

describe('SDK: sandbox lifecycle', () => {
  let t: SdkStack;
  let s: Sandbox;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox({
      name: 'sdk-life',
      labels: { suite: 'sdk-life', team: 'a' },
      envVars: { GREETING: 'hello' },
      autoStopInterval: 0,
    });
  });
  after(async () => {
    await t?.close();
  });

  it('creates a started sandbox with the fields the SDK reads', async () => {
    assert.equal(s.state, 'started');
    assert.equal(s.name, 'sdk-life');
    assert.equal(s.labels['code-toolbox-language'], 'python');
    assert.equal(s.labels.team, 'a');
    assert.equal(s.cpu, 1);
    assert.equal(s.memory, 1);
    assert.equal(s.autoStopInterval, 0);
    assert.equal(s.organizationId, t.stack.organizationId);
    assert.equal(s.env?.GREETING, 'hello');
    assert.equal(await sh(s, 'echo $GREETING'), 'hello');
  });

  it('gets by id and by name', async () => {
    assert.equal((await t.daytona.get(s.id)).name, 'sdk-life');
    const byName = await t.daytona.get('sdk-life');
    assert.equal(byName.id, s.id);
    assert.equal(byName.toolboxProxyUrl, `${t.stack.server.config.publicUrl}/toolbox`);
  });

  it('lists by label across pages', async () => {
    const other = await t.sandbox({ labels: { suite: 'sdk-life' } });
    const seen: string[] = [];
    for await (const x of t.daytona.list({ labels: { suite: 'sdk-life' }, limit: 1 })) seen.push(x.id);
    assert.deepEqual(seen.sort(), [s.id, other.id].sort());
    // limit 1 really pages: the first page names a cursor.
    const page = await t.stack.api(
      'GET',
      `/sandbox?limit=1&labels=${encodeURIComponent(JSON.stringify({ suite: 'sdk-life' }))}`,
    );
    assert.equal(page.body.items.length, 1);
    assert.ok(page.body.nextCursor);
    const none: string[] = [];
    for await (const x of t.daytona.list({ labels: { suite: 'nobody' } })) none.push(x.id);
    assert.deepEqual(none, []);
    await other.delete(60, true);
    await assert.rejects(t.daytona.get(other.id), DaytonaNotFoundError);
  });

  it('replaces labels and sets intervals', async () => {
    await s.setLabels({ team: 'b', 'code-toolbox-language': 'python' });
    assert.deepEqual(s.labels, { team: 'b', 'code-toolbox-language': 'python' });
    await s.setAutostopInterval(30);
    await s.setAutoArchiveInterval(60);
    await s.setAutoDeleteInterval(-1);
    await s.refreshData();
    assert.deepEqual(s.labels, { team: 'b', 'code-toolbox-language': 'python' });
    assert.equal(s.autoStopInterval, 30);
    assert.equal(s.autoArchiveInterval, 60);
    assert.equal(s.autoDeleteInterval, -1);
    await s.setAutostopInterval(0);
  });

  it('resizes cpu and memory live, grows disk, and rejects shrinking it', async () => {
    const memLimit = () =>
      sh(s, 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max');
    const cpuQuota = () =>
      sh(s, 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/cpu.max');
    assert.equal(await memLimit(), String(1024 ** 3));
    assert.equal(await cpuQuota(), '100000');
    await s.resize({ cpu: 2, memory: 2, disk: 12 });
    assert.equal(s.cpu, 2);
    assert.equal(s.memory, 2);
    assert.equal(s.disk, 12);
    assert.equal(s.state, 'started');
    // Applied to the running container, not just recorded.
    assert.equal(await memLimit(), String(2 * 1024 ** 3));
    assert.equal(await cpuQuota(), '200000');
    const info = await containerOf(s.id).inspect();
    assert.equal(info.HostConfig.NanoCpus, 2e9);
    await assert.rejects(s.resize({ disk: 5 }), DaytonaValidationError);
    await assert.rejects(s.resize({ cpu: 999 }), DaytonaValidationError);
    await s.resize({ cpu: 1, memory: 1 });
    assert.equal(await memLimit(), String(1024 ** 3));
    assert.equal((await t.daytona.get(s.id)).memory, 1);
  });

  it('updates network settings live', async () => {
    const nets = () => sh(s, 'ls /sys/class/net | sort | tr "\\n" " "');
    assert.match(await nets(), /eth\d/);
    await s.updateNetworkSettings({ networkBlockAll: true });
    assert.equal(s.networkBlockAll, true);
    assert.equal((await nets()).trim(), 'lo');
    await s.updateNetworkSettings({ networkBlockAll: false, networkAllowList: '1.1.1.1/32,8.8.8.0/24' });
    assert.equal(s.networkBlockAll, false);
    assert.equal(s.networkAllowList, '1.1.1.1/32,8.8.8.0/24');
    assert.match(await nets(), /eth\d/);
    const fresh = await t.daytona.get(s.id);
    assert.equal(fresh.networkAllowList, '1.1.1.1/32,8.8.8.0/24');
    await assert.rejects(s.updateNetworkSettings({ networkAllowList: 'not-a-cidr' }), DaytonaValidationError);
    await s.updateNetworkSettings({ networkAllowList: '' });
    assert.equal((await t.daytona.get(s.id)).networkAllowList, undefined);
  });

  it('creates a sandbox without network and connects it later', async () => {
    const offline = await t.sandbox({ networkBlockAll: true });
    assert.equal(offline.networkBlockAll, true);
    assert.equal(await sh(offline, 'ls /sys/class/net | tr "\\n" " "'), 'lo');
    await offline.updateNetworkSettings({ networkBlockAll: false });
    assert.match(await sh(offline, 'ls /sys/class/net | tr "\\n" " "'), /eth\d/);
    await offline.delete();
  });

  it('stops, starts, archives, recovers and deletes, waiting for each', async () => {
    await sh(s, 'echo kept > keep.txt');
    await s.stop();
    assert.equal(s.state, 'stopped');
    await s.start();
    assert.equal(s.state, 'started');
    assert.equal(await sh(s, 'cat keep.txt'), 'kept');

    await s.stop();
    await s.archive();
    assert.equal(s.state, 'archived');
    await assert.rejects(containerOf(s.id).inspect(), /no such container/i);
    await s.recover();
    assert.equal(s.state, 'started');
    assert.equal(await sh(s, 'cat keep.txt'), 'kept');
    // The resized limits and network settings survive the restore.
    assert.equal((await containerOf(s.id).inspect()).HostConfig.Memory, 1024 ** 3);

    await s.delete(60, true);
    assert.equal(s.state, 'destroyed');
    await assert.rejects(t.daytona.get(s.id), DaytonaNotFoundError);
  });
});

// daytona.snapshot and daytona.volume against Berth: registered images,
// sandboxes created from them, shared volumes (whole and subpath mounts)
// that survive archive/restore, and the guards around both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DaytonaConflictError,
  DaytonaForbiddenError,
  DaytonaNotFoundError,
  DaytonaValidationError,
  Image,
  type Sandbox,
} from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';
import { docker } from '../helpers/docker.js';

const BASE = 'berth/sandbox-base:latest';

const sh = async (s: Sandbox, cmd: string) => {
  const r = await s.process.executeCommand(cmd);
  assert.equal(r.exitCode, 0, r.result);
  return r.result.trim();
};

describe('SDK: snapshots', () => {
  let t: SdkStack;
  before(async () => {
    t = await sdkStack();
  });
  after(async () => {
    await t?.close();
  });

  it('has a default snapshot for the default image', async () => {
    const page = await t.daytona.snapshot.list();
    const def = page.items.find((s) => s.name === BASE);
    assert.ok(def, 'default snapshot listed');
    assert.equal(def.general, true);
    assert.equal(def.state, 'active');
    assert.equal(def.imageName, BASE);
    assert.ok((def.size ?? 0) > 0);
    assert.equal((await t.daytona.snapshot.get(BASE)).id, def.id);
    assert.equal((await t.daytona.snapshot.get(def.id)).name, BASE);
    await assert.rejects(t.daytona.snapshot.delete(def), DaytonaForbiddenError);
  });

  it('registers local images, pages, activates and deletes them', async () => {
    const snap = await t.daytona.snapshot.create({
      name: 'sdk-snap',
      image: BASE,
      resources: { cpu: 1, memory: 1, disk: 3 },
    });
    assert.equal(snap.state, 'active');
    assert.equal(snap.cpu, 1);
    assert.equal(snap.mem, 1);
    assert.equal(snap.disk, 3);
    // Image.base is the SDK's declarative form of the same thing.
    const declarative = await t.daytona.snapshot.create({ name: 'sdk-snap-2', image: Image.base(BASE) });
    assert.equal(declarative.imageName, BASE);

    const first = await t.daytona.snapshot.list(1, 2);
    assert.equal(first.items.length, 2);
    assert.equal(first.total, 3);
    assert.equal(first.totalPages, 2);
    assert.equal((await t.daytona.snapshot.list(2, 2)).items.length, 1);

    await assert.rejects(t.daytona.snapshot.create({ name: 'sdk-snap', image: BASE }), DaytonaConflictError);
    // An image neither on the host nor pullable (no registry reachable here): refused at once, with the fix.
    await assert.rejects(
      t.daytona.snapshot.create({ name: 'sdk-missing', image: 'berth/does-not-exist:1' }),
      (e: Error) => e instanceof DaytonaValidationError && /could not be pulled/.test(e.message),
    );

    // A sandbox from the snapshot gets its image and resources.
    const s = await t.daytona.create({ snapshot: 'sdk-snap' });
    try {
      assert.equal(s.snapshot, 'sdk-snap');
      assert.equal(s.disk, 3);
      assert.equal(s.cpu, 1);
      assert.equal(await sh(s, 'python3 -c "print(6*7)"'), '42');
    } finally {
      await s.delete();
    }
    assert.ok((await t.daytona.snapshot.get('sdk-snap')).lastUsedAt);

    // Inactive snapshots cannot be used until activated again.
    assert.equal((await t.stack.api('POST', `/snapshots/${declarative.id}/deactivate`)).status, 204);
    await assert.rejects(t.daytona.create({ snapshot: 'sdk-snap-2' }), DaytonaConflictError);
    assert.equal((await t.daytona.snapshot.activate(declarative)).state, 'active');
    await assert.rejects(t.daytona.create({ snapshot: 'nope' }), DaytonaNotFoundError);

    await t.daytona.snapshot.delete(snap);
    await t.daytona.snapshot.delete('sdk-snap-2');
    await assert.rejects(t.daytona.snapshot.get('sdk-snap'), DaytonaNotFoundError);
    assert.equal((await t.daytona.snapshot.list()).total, 1);
  });
});

describe('SDK: volumes', () => {
  let t: SdkStack;
  before(async () => {
    t = await sdkStack();
  });
  after(async () => {
    await t?.close();
  });

  it('shares a volume between sandboxes, whole and by subpath, across archive and restore', async () => {
    const vol = await t.daytona.volume.get('sdk-vol', true);
    assert.equal(vol.state, 'ready');
    assert.equal(vol.name, 'sdk-vol');
    assert.equal((await t.daytona.volume.get('sdk-vol')).id, vol.id);
    assert.ok((await t.daytona.volume.list()).some((v) => v.id === vol.id));
    const engine = await docker.getVolume(`berth-vol-${vol.id}`).inspect();
    assert.equal(engine.Labels['berth.volume'], vol.id);

    const a = await t.sandbox({ volumes: [{ volumeId: vol.id, mountPath: '/home/berth/data' }] });
    assert.deepEqual(a.volumes, [{ volumeId: vol.id, mountPath: '/home/berth/data' }]);
    await a.fs.createFolder('/home/berth/data/users/alice', '755');
    await a.fs.uploadFile(Buffer.from('from a'), '/home/berth/data/users/alice/hello.txt');
    await a.fs.uploadFile(Buffer.from('secret of bob'), '/home/berth/data/users/bob/secret.txt');

    const b = await t.sandbox({
      volumes: [
        { volumeId: vol.id, mountPath: '/mnt/shared' },
        { volumeId: vol.id, mountPath: '/home/berth/alice', subpath: 'users/alice' },
      ],
    });
    assert.equal((await b.fs.downloadFile('/mnt/shared/users/alice/hello.txt')).toString(), 'from a');
    assert.equal((await b.fs.downloadFile('/home/berth/alice/hello.txt')).toString(), 'from a');
    // The subpath mount shows that folder only: bob's files are not under it.
    assert.deepEqual(
      (await b.fs.listFiles('/home/berth/alice')).map((f) => f.name),
      ['hello.txt'],
    );
    await b.fs.uploadFile(Buffer.from('from b'), '/home/berth/alice/reply.txt');
    assert.equal((await a.fs.downloadFile('/home/berth/data/users/alice/reply.txt')).toString(), 'from b');
    // A new subpath is created on first use.
    const c = await t.sandbox({
      volumes: [{ volumeId: vol.id, mountPath: '/home/berth/carol', subpath: 'users/carol' }],
    });
    await c.fs.uploadFile(Buffer.from('carol'), '/home/berth/carol/c.txt');
    assert.equal((await a.fs.downloadFile('/home/berth/data/users/carol/c.txt')).toString(), 'carol');
    await c.delete(60, true);

    await assert.rejects(t.daytona.volume.delete(vol), DaytonaConflictError);

    // Archive A; change the volume meanwhile; the restored A sees the volume as it is now.
    await a.stop();
    await a.archive();
    await b.fs.uploadFile(Buffer.from('while archived'), '/mnt/shared/new.txt');
    await b.fs.deleteFile('/mnt/shared/users/bob/secret.txt');
    await a.start();
    assert.equal((await a.fs.downloadFile('/home/berth/data/new.txt')).toString(), 'while archived');
    assert.equal((await a.fs.downloadFile('/home/berth/data/users/alice/hello.txt')).toString(), 'from a');
    await assert.rejects(a.fs.getFileDetails('/home/berth/data/users/bob/secret.txt'), DaytonaNotFoundError);
    assert.equal(await sh(a, 'touch /home/berth/data/after-restore && echo ok'), 'ok');

    await a.delete(60, true);
    await b.delete(60, true);
    await t.daytona.volume.delete(vol);
    await assert.rejects(t.daytona.volume.get('sdk-vol'), DaytonaNotFoundError);
    await assert.rejects(docker.getVolume(`berth-vol-${vol.id}`).inspect(), /no such volume/i);
  });

  it('does not restore a sandbox onto an empty stand-in when its volume vanished', async () => {
    const vol = await t.daytona.volume.create('sdk-vol-gone');
    const d = await t.sandbox({ volumes: [{ volumeId: vol.id, mountPath: '/home/berth/gone' }] });
    await d.stop();
    await d.archive();
    // Removed behind Berth's back (the engine would otherwise mount a fresh empty volume).
    await docker.getVolume(`berth-vol-${vol.id}`).remove();
    await assert.rejects(d.start(), /no longer exists/);
    await d.delete(60, true);
    await t.daytona.volume.delete(vol);
    await assert.rejects(docker.getVolume(`berth-vol-${vol.id}`).inspect(), /no such volume/i);
  });

  it('refuses a subpath that a sandbox turned into a symlink', async () => {
    const vol = await t.daytona.volume.create('sdk-vol-evil');
    const a = await t.sandbox({ volumes: [{ volumeId: vol.id, mountPath: '/home/berth/v' }] });
    await sh(a, 'mkdir -p /home/berth/v/users && ln -s /etc /home/berth/v/users/evil && ln -s / /home/berth/v/root');
    await assert.rejects(
      t.sandbox({ volumes: [{ volumeId: vol.id, mountPath: '/home/berth/evil', subpath: 'users/evil' }] }),
      /symlink|not a folder/,
    );
    await assert.rejects(
      t.sandbox({ volumes: [{ volumeId: vol.id, mountPath: '/home/berth/evil', subpath: 'root/etc' }] }),
      /symlink|not a folder/,
    );
    await assert.rejects(
      t.sandbox({ volumes: [{ volumeId: vol.id, mountPath: '/home/berth/evil', subpath: '../x' }] }),
      DaytonaValidationError,
    );
    await assert.rejects(t.sandbox({ volumes: [{ volumeId: vol.id, mountPath: '/proc/x' }] }), DaytonaValidationError);
    await assert.rejects(
      t.sandbox({ volumes: [{ volumeId: 'no-such-volume', mountPath: '/data' }] }),
      DaytonaNotFoundError,
    );
    await a.delete(60, true);
    // Failed creates leave sandboxes in error; they go with the stack, the volume is freed once they are deleted.
    for await (const s of t.daytona.list()) if (s.state === 'error') await s.delete(60, true);
    await t.daytona.volume.delete(vol);
  });
});

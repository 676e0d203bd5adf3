// What an archive takes from a stopped sandbox: the changes read from its
// overlay2 upper folder (runner/runtime/overlay-changes.ts) must plan the same
// archive as the engine's own `docker diff`, for every kind of change a
// program makes: files added, changed and deleted, folders of the image
// deleted, a folder of the image removed and made again (overlayfs makes it
// opaque: what it held must stay deleted), symlinks, odd names.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { docker } from '../helpers/docker.js';
import { TEST_IMAGE } from '../helpers/stack.js';
import { overlayChanges } from '../../runner/runtime/overlay-changes.js';
import { planExport } from '../../runner/runtime/changes-archive.js';

const CHANGES = [
  'echo changed >> /etc/bash.bashrc',
  'rm /etc/passwd-',
  'rm -rf /usr/share/doc/git',
  // Removed and made again: opaque. /etc/apt/apt.conf.d is made again too, but empty of what the image had.
  'rm -rf /etc/apt && mkdir -p /etc/apt/apt.conf.d /etc/apt/new && echo x > /etc/apt/new/f',
  'mkdir -p /home/berth/project/src && echo hi > /home/berth/project/src/a.txt',
  'echo gone > /home/berth/project/tmp && rm /home/berth/project/tmp',
  'ln -s /etc/hostname "/home/berth/a link é"',
  'touch /tmp/x && mkdir /newdir && echo y > /newdir/z',
].join(' && ');

describe('archive changes from the overlay upper folder', () => {
  const made: string[] = [];
  after(async () => {
    for (const id of made) await docker.getContainer(id).remove({ force: true });
  });

  it('plans the same archive as docker diff, opaque folders included', async () => {
    const info = await docker.info();
    const status = new Map<string, string>(info.DriverStatus as [string, string][]);
    assert.equal(info.Driver, 'overlay2', 'the test host runs overlay2');
    assert.equal(status.get('Native Overlay Diff'), 'true', 'the fast path is taken only with native diff');

    const c = await docker.createContainer({
      Image: TEST_IMAGE,
      Entrypoint: ['sh', '-c', CHANGES],
      User: 'root',
      Labels: { 'berth.test': 'archive-changes' },
    });
    made.push(c.id);
    await c.start();
    const exit = await c.wait();
    assert.equal(exit.StatusCode, 0);

    const inspected = await c.inspect();
    const data = inspected.GraphDriver.Data as unknown as { UpperDir: string; LowerDir: string };
    const ours = await overlayChanges(data.UpperDir, data.LowerDir.split(':'));
    const engine = ((await c.changes()) ?? []) as { Path: string; Kind: number }[];

    const sorted = (p: { roots: string[]; deleted: string[] }) => ({
      roots: [...p.roots].sort(),
      deleted: [...p.deleted].sort(),
    });
    const mine = sorted(planExport(ours));
    assert.deepEqual(mine, sorted(planExport(engine)));
    // What makes the opaque folder right: the image's entries of /etc/apt are deleted, also inside the
    // folder made again, and the new one is archived.
    assert.ok(mine.deleted.includes('/etc/apt/sources.list.d'), JSON.stringify(mine.deleted));
    assert.ok(mine.roots.includes('/etc/apt/new'), JSON.stringify(mine.roots));
    assert.ok(mine.roots.includes('/home/berth/a link é'), JSON.stringify(mine.roots));
  });
});

// Archives never hold volume data: mount points and everything under them are
// left out, and a new folder that holds a mount point is listed child by child
// instead of being copied whole (which would copy the mount).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planExport } from '../../runner/runtime/docker.js';

describe('archive export plan with volume mounts', () => {
  it('leaves mounts out and splits folders that hold one', () => {
    const plan = planExport(
      [
        { Path: '/data', Kind: 1 },
        { Path: '/data/vol', Kind: 1 },
        { Path: '/data/vol/file.txt', Kind: 1 },
        { Path: '/data/notes.txt', Kind: 1 },
        { Path: '/home/berth', Kind: 0 },
        { Path: '/home/berth/shared', Kind: 1 },
        { Path: '/home/berth/work', Kind: 1 },
        { Path: '/home/berth/work/a.py', Kind: 1 },
        { Path: '/mnt', Kind: 0 },
        { Path: '/mnt/only-mount', Kind: 1 },
      ],
      ['/data/vol', '/home/berth/shared', '/mnt/only-mount', '/.berth/bin'],
    );
    assert.deepEqual(plan.roots, ['/data/notes.txt', '/home/berth/work']);
    assert.deepEqual(plan.deleted, []);
  });

  it('is unchanged without mounts', () => {
    const changes = [
      { Path: '/data', Kind: 1 },
      { Path: '/data/x', Kind: 1 },
    ];
    assert.deepEqual(planExport(changes, []).roots, ['/data']);
    assert.deepEqual(planExport(changes).roots, ['/data']);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planExport } from '../../runner/runtime/docker.js';

describe('archive export plan', () => {
  it('archives added folders whole, changed files alone, and records deletions once', () => {
    const plan = planExport([
      { Path: '/home/berth', Kind: 0 },
      { Path: '/home/berth/a', Kind: 1 },
      { Path: '/home/berth/a/b.txt', Kind: 1 },
      { Path: '/home/berth/.bashrc', Kind: 0 },
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/old', Kind: 2 },
      { Path: '/etc/old/inner', Kind: 2 },
      { Path: '/etc/hosts', Kind: 0 },
      { Path: '/.berth', Kind: 1 },
      { Path: '/.berth/run', Kind: 1 },
      { Path: '/tmp', Kind: 0 },
    ]);
    assert.deepEqual(plan.roots, ['/home/berth/.bashrc', '/home/berth/a', '/tmp']);
    assert.deepEqual(plan.deleted, ['/etc/old']);
  });
});

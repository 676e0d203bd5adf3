// ImageDistributor without engines (runners faked by their interface): the
// registry names it makes, its byte counts in words, that a broken local
// stream is reported as such and does not stick (the next call sends again),
// and that a runner which has the image gets nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { systemClock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import { silentLogger } from '../../common/log.js';
import type { ImageConfig, RunnerClient } from '../../common/wire/runner.js';
import { formatBytes, ImageDistributor, registryRefFor } from '../../orchestrator/runners/images.js';

const CONFIG: ImageConfig = { command: [], workdir: '/', user: '', env: [], id: 'sha256:x', size: 3 };

/** A runner that has `images` and loads whatever tar it is sent (counting loads). */
function fakeRunner(id: string, images: string[], save?: () => Readable) {
  const have = new Set(images);
  const state = { loads: 0 };
  const runner = {
    id,
    inspectImage: async (ref: string) => (have.has(ref) ? CONFIG : null),
    saveImage: async () => (save ? save() : Readable.from([Buffer.from('abc')])),
    loadImage: async (tar: Readable) => {
      state.loads++;
      for await (const c of tar) void c;
      have.add('img:1');
    },
  };
  return { runner: runner as unknown as RunnerClient, state };
}

describe('ImageDistributor', () => {
  it('names images in the cluster registry', () => {
    assert.equal(
      registryRefFor('127.0.0.1:5000', 'berth/sandbox-base:latest'),
      '127.0.0.1:5000/berth/sandbox-base:latest',
    );
    assert.equal(registryRefFor('reg:5000/', 'python'), 'reg:5000/python:latest');
    assert.equal(registryRefFor('reg:5000', 'ghcr.io/a/b:1'), 'reg:5000/ghcr.io/a/b:1');
    assert.equal(registryRefFor('reg:5000', 'localhost:5001/a:2'), 'reg:5000/localhost-5001/a:2');
    assert.equal(registryRefFor('reg', 'a/b@sha256:abc'), 'reg/a/b:sha256-abc');
  });

  it('prints byte counts as Docker does', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(312_400_000), '312 MB');
    assert.equal(formatBytes(1_480_000_000), '1.5 GB');
    assert.equal(formatBytes(9_999), '10 kB');
  });

  it('sends nothing to a runner that has the image', async () => {
    const { runner: target, state } = fakeRunner('r1', ['img:1']);
    const { runner: local } = fakeRunner('local', ['img:1']);
    await new ImageDistributor({ local, log: silentLogger, clock: systemClock }).ensure(target, 'img:1');
    assert.equal(state.loads, 0);
  });

  it('reports a local stream that breaks as unavailable, and sends again on the next call', async () => {
    let broken = true;
    const { runner: local } = fakeRunner('local', ['img:1'], () =>
      broken
        ? new Readable({
            read() {
              this.destroy(new Error('engine went away'));
            },
          })
        : Readable.from([Buffer.from('abc')]),
    );
    const { runner: target, state } = fakeRunner('r1', []);
    const images = new ImageDistributor({ local, log: silentLogger, clock: systemClock });
    await assert.rejects(
      () => images.ensure(target, 'img:1'),
      (e: unknown) => e instanceof AppError && e.code === 'unavailable' && /stopped sending/.test(e.message),
    );
    broken = false;
    const lines: string[] = [];
    await images.ensure(target, 'img:1', (l) => lines.push(l));
    assert.equal(state.loads, 2);
    assert.match(lines.at(-1)!, /^image img:1 is on runner r1 \(3 B in [0-9.]+ s\)$/);
  });
});

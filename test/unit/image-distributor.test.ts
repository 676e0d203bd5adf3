// ImageDistributor without engines (runners faked by their interface): the
// registry names it makes, its byte counts in words, that a broken local
// stream is reported as such and does not stick (the next call sends again),
// that a runner which has the image gets nothing, and its progress lines: the
// first at once, then at most one a second (on a manual clock), the last at
// the end, and a caller joining a transfer under way starts from the latest.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { ManualClock, systemClock } from '../../common/clock.js';
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

  it('sends the first line at once, then at most one a second, the last at the end; a late caller starts from the latest', async () => {
    const clock = new ManualClock();
    const tar = new PassThrough();
    const local = {
      id: 'local',
      inspectImage: async () => ({ ...CONFIG, size: 3000 }),
      saveImage: async () => tar,
    } as unknown as RunnerClient;
    let has = false;
    const target = {
      id: 'r1',
      inspectImage: async () => (has ? CONFIG : null),
      loadImage: async (s: Readable) => {
        for await (const c of s) void c;
        has = true;
      },
    } as unknown as RunnerClient;
    const images = new ImageDistributor({ local, log: silentLogger, clock });
    const settle = () => new Promise((r) => setImmediate(r));
    const first: string[] = [];
    const late: string[] = [];
    const one = images.ensure(target, 'img:1', (l) => first.push(l));
    await settle();
    assert.deepEqual(first, ['sending image img:1 to runner r1: 0 B of 3.0 kB']);
    tar.write(Buffer.alloc(1000));
    await settle();
    await clock.advance(999);
    tar.write(Buffer.alloc(500));
    await settle();
    assert.equal(first.length, 1, 'nothing more within the second');
    await clock.advance(1);
    tar.write(Buffer.alloc(500));
    await settle();
    assert.deepEqual(first.slice(1), ['sending image img:1 to runner r1: 2.0 kB of 3.0 kB']);
    const two = images.ensure(target, 'img:1', (l) => late.push(l));
    assert.deepEqual(late, ['sending image img:1 to runner r1: 2.0 kB of 3.0 kB'], 'the latest line, at once');
    await clock.advance(1500);
    tar.end(Buffer.alloc(1000));
    await Promise.all([one, two]);
    assert.match(first.at(-1)!, /^image img:1 is on runner r1 \(3\.0 kB in 2\.5 s\)$/);
    assert.deepEqual(late.slice(1), first.slice(2), 'the same lines from then on');
  });
});

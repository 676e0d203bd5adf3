import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unlessExited } from '../../runner/exit-watch.js';
import { AppError } from '../../common/errors.js';
import type { ContainerState } from '../../runner/runtime/interface.js';

const running: ContainerState = {
  running: true,
  exitCode: 0,
  oomKilled: false,
  ip: null,
  imageId: 'i',
  netns: null,
  pooled: false,
};
const never = new Promise<never>(() => {});

describe('waiting for a daemon while its container may exit', () => {
  it('settles like the work while the container runs', async () => {
    let looks = 0;
    let ready!: (v: string) => void;
    const work = new Promise<string>((r) => (ready = r));
    // The work ends after the second look, however late the timers run on a busy machine.
    const v = await unlessExited(work, async () => (++looks === 2 && ready('ready'), running), 10);
    assert.equal(v, 'ready');
    assert.ok(looks >= 2, 'it kept looking');
  });

  it('fails at once, saying why, when the container stopped or is gone', async () => {
    const t0 = Date.now();
    await assert.rejects(
      unlessExited(never, async () => ({ ...running, running: false, exitCode: 137 }), 10),
      (e) =>
        e instanceof AppError &&
        e.reason === 'SANDBOX_EXITED' &&
        /exited with code 137/.test(e.message) &&
        e.recoverable,
    );
    await assert.rejects(
      unlessExited(never, async () => ({ ...running, running: false, oomKilled: true }), 10),
      /out of memory/,
    );
    await assert.rejects(
      unlessExited(never, async () => null, 10),
      /container is gone/,
    );
    assert.ok(Date.now() - t0 < 1000);
  });

  it('looks again when the engine does not answer, and passes the work failure through', async () => {
    let n = 0;
    await assert.rejects(
      unlessExited(
        never,
        async () =>
          ++n < 3 ? Promise.reject(new Error('engine hiccup')) : { ...running, running: false, exitCode: 1 },
        10,
      ),
      /code 1/,
    );
    await assert.rejects(
      unlessExited(Promise.reject(new Error('daemon did not connect')), async () => running, 10),
      /did not connect/,
    );
  });
});

// BERTH_LOCAL_RUNNER: default on; off makes an API-only replica, which keeps no
// warm pool (its default size quietly becomes 0; a size set explicitly is refused).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../common/config.js';
import { AppError } from '../../common/errors.js';

describe('BERTH_LOCAL_RUNNER', () => {
  it('is on by default and keeps the warm pool', () => {
    const c = loadConfig({}, { BERTH_HOME: '/tmp/x' });
    assert.equal(c.localRunner, true);
    assert.equal(c.warmPool, 2);
  });

  it('false makes an API-only replica with no warm pool', () => {
    for (const v of ['false', '0', 'no']) {
      const c = loadConfig({}, { BERTH_HOME: '/tmp/x', BERTH_LOCAL_RUNNER: v });
      assert.equal(c.localRunner, false, v);
      assert.equal(c.warmPool, 0, v);
    }
    assert.equal(loadConfig({}, { BERTH_LOCAL_RUNNER: 'false', BERTH_WARM_POOL: '0' }).warmPool, 0);
  });

  it('refuses a warm pool asked for on an API-only replica, saying what to change', () => {
    for (const [explicit, env] of [
      [{}, { BERTH_LOCAL_RUNNER: 'false', BERTH_WARM_POOL: '3' }],
      [{ localRunner: false, warmPool: 1 }, {}],
    ] as const) {
      assert.throws(
        () => loadConfig(explicit, env),
        (e) =>
          e instanceof AppError &&
          e.code === 'invalid_argument' &&
          /BERTH_WARM_POOL=\d with BERTH_LOCAL_RUNNER=false/.test(e.message) &&
          /unset BERTH_WARM_POOL/.test(e.hint ?? ''),
      );
    }
  });

  it('rejects a value that is not a boolean', () => {
    assert.throws(() => loadConfig({}, { BERTH_LOCAL_RUNNER: 'maybe' }), /BERTH_LOCAL_RUNNER="maybe"/);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../common/config.js';
import { AppError } from '../../common/errors.js';
import { BERTH_VERSION } from '../../common/version.js';

describe('configuration', () => {
  it('applies defaults', () => {
    const c = loadConfig({}, { BERTH_HOME: '/tmp/x' });
    assert.equal(c.port, 3000);
    assert.equal(c.defaultCpu, 2);
    assert.equal(c.defaultMemoryGiB, 4);
    assert.equal(c.defaultDiskGiB, 10);
    assert.equal(c.autoStopMinutes, 15);
    assert.equal(c.autoArchiveMinutes, 7 * 24 * 60);
    assert.equal(c.autoDeleteMinutes, -1);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.sqlitePath, '/tmp/x/berth.sqlite');
    assert.match(c.runnerId, /^local-[0-9a-f]{8}$/);
  });

  it('prefers an explicit option over the environment', () => {
    assert.equal(loadConfig({ port: 4100 }, { PORT: '4200' }).port, 4100);
    assert.equal(loadConfig({}, { PORT: '4200' }).port, 4200);
  });

  it('lists every bad setting at once with what is expected', () => {
    try {
      loadConfig({}, { PORT: 'abc', DATABASE_URL: 'mysql://x', BERTH_DEFAULT_CPU: '-1', BERTH_ADMIN_API_KEY: 'short' });
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, 'invalid_argument');
      for (const v of ['PORT=', 'DATABASE_URL=', 'BERTH_DEFAULT_CPU=', 'BERTH_ADMIN_API_KEY='])
        assert.ok(e.message.includes(v), `${v} missing from: ${e.message}`);
      assert.match(e.message, /postgres:\/\//);
      assert.ok(e.hint);
    }
  });

  it('reads preview CORS origins, and refuses one with a path', () => {
    assert.deepEqual(
      loadConfig({}, { BERTH_PREVIEW_CORS_ORIGINS: 'sandbox, HTTPS://App.example.com:8443' }).previewCorsOrigins,
      ['sandbox', 'https://app.example.com:8443'],
    );
    assert.deepEqual(loadConfig({}, {}).previewCorsOrigins, []);
    assert.throws(
      () => loadConfig({}, { BERTH_PREVIEW_CORS_ORIGINS: 'https://app.example.com/path' }),
      (e: AppError) => /BERTH_PREVIEW_CORS_ORIGINS=.*no path/.test(e.message),
    );
  });

  it('keeps the version in step with package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(BERTH_VERSION, pkg.version);
  });
});

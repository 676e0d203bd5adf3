// A runner's listed state is derived from when it was last heard from, its
// labels are its own with the administrator's over them, and `berth runner`'s
// settings are validated once (required ones named, DOCKER_HOST honoured).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toRunnerInfo, type RunnerRow } from '../../orchestrator/runners/model.js';
import { loadRunnerConfig, runnerIdFor } from '../../common/config.js';
import { AppError } from '../../common/errors.js';

const row = (o: Partial<RunnerRow> = {}): RunnerRow => ({
  id: 'r',
  name: 'r',
  token_hash: 'x',
  labels: '{"region":"admin"}',
  state: 'ready',
  capacity: JSON.stringify({ cpus: 2, labels: { region: 'own', disk: 'ssd' }, version: '0.1.0' }),
  usage: JSON.stringify({ sandboxes: 3, running: 1, load1: 0, memoryFreeGiB: 1 }),
  last_seen_at: 1_000,
  version: '0.1.0',
  created_at: 0,
  ...o,
});

describe('runner state', () => {
  it('is the stored state while heard from within the timeout, unreachable after it', () => {
    assert.equal(toRunnerInfo(row(), 1_000 + 30_000, 30_000).state, 'ready');
    assert.equal(toRunnerInfo(row(), 1_000 + 30_001, 30_000).state, 'unreachable');
    assert.equal(toRunnerInfo(row({ state: 'draining' }), 2_000, 30_000).state, 'draining');
    assert.equal(toRunnerInfo(row({ state: 'draining' }), 99_000, 30_000).state, 'unreachable');
    assert.equal(toRunnerInfo(row({ last_seen_at: null }), 0, 30_000).state, 'unreachable');
    assert.equal(toRunnerInfo(row({ state: 'disabled' }), 99_000, 30_000).state, 'disabled');
  });

  it('shows the runner’s labels with the administrator’s over them, and its reported sandboxes', () => {
    const info = toRunnerInfo(row(), 1_000, 30_000);
    assert.deepEqual(info.labels, { region: 'admin', disk: 'ssd' });
    assert.equal(info.sandboxes, 3);
    assert.deepEqual(info.capacity, { cpus: 2 });
  });
});

describe('berth runner settings', () => {
  const base = { BERTH_API_URL: 'http://api.example:3000/api', BERTH_RUNNER_TOKEN: 'berth_runner_0123456789abcdef' };

  it('names every missing required setting at once, never echoing the token', () => {
    assert.throws(
      () => loadRunnerConfig({ BERTH_RUNNER_TOKEN: 'short' }),
      (e: AppError) =>
        /BERTH_API_URL=undefined: required/.test(e.message) &&
        /BERTH_RUNNER_TOKEN=\(hidden\)/.test(e.message) &&
        !e.message.includes('short'),
    );
  });

  it('takes the API URL with or without /api, labels as k=v pairs, and the engine from DOCKER_HOST', () => {
    const c = loadRunnerConfig({
      ...base,
      BERTH_RUNNER_LABELS: 'region=eu, disk=ssd',
      DOCKER_HOST: 'unix:///run/other.sock',
      BERTH_HOME: '/tmp/berth-runner-x',
    });
    assert.equal(c.apiUrl, 'http://api.example:3000');
    assert.deepEqual(c.labels, { region: 'eu', disk: 'ssd' });
    assert.equal(c.dockerSocket, '/run/other.sock');
    assert.match(c.runnerId, /^runner-[0-9a-f]{8}$/);
    assert.equal(runnerIdFor('runner', '/tmp/other/../berth-runner-x/'), c.runnerId, 'the same folder, the same id');
    assert.throws(() => loadRunnerConfig({ ...base, BERTH_RUNNER_LABELS: 'nokey' }), /key=value/);
    assert.throws(() => loadRunnerConfig({ ...base, DOCKER_HOST: 'tcp://1.2.3.4:2375' }), /only unix:\/\//);
  });
});

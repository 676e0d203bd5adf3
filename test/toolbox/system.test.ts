// Environment updates, metrics, listening ports and computer-use answers
// over real HTTP in a real sandbox.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDaemonError, toolboxFixture, type Toolbox } from './fixture.js';

describe('toolbox: env, metrics, ports, computer use', () => {
  let t: Toolbox;
  before(async () => {
    t = await toolboxFixture();
  });
  after(async () => {
    await t?.close();
  });

  it('updates the environment of new processes and sessions', async () => {
    await t.tb('POST', '/process/session', { sessionId: 'before' });
    try {
      const r = await t.tb('POST', '/env', { set: { BERTH_TEST_VAR: 'one two' }, unset: ['LANG'] });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { set: ['BERTH_TEST_VAR'], unset: ['LANG'] });
      assert.equal((await t.sh('echo "$BERTH_TEST_VAR|${LANG:-none}"')).result, 'one two|none\n');
      const code = await t.tb('POST', '/process/code-run', {
        language: 'python',
        code: 'import os; print(os.environ["BERTH_TEST_VAR"])',
      });
      assert.equal(code.body.result, 'one two\n');
      await t.tb('POST', '/process/session', { sessionId: 'after' });
      assert.equal(
        (await t.tb('POST', '/process/session/after/exec', { command: 'echo $BERTH_TEST_VAR' })).body.stdout,
        'one two\n',
      );
      // A session started before keeps the environment it started with.
      assert.equal(
        (await t.tb('POST', '/process/session/before/exec', { command: 'echo "[$BERTH_TEST_VAR]"' })).body.stdout,
        '[]\n',
      );
      assertDaemonError(await t.tb('POST', '/env', { set: { 'BAD-NAME': 'x' } }), 400, 'INVALID_REQUEST_BODY');
      await t.tb('POST', '/env', { unset: ['BERTH_TEST_VAR'] });
      assert.equal((await t.sh('echo "[$BERTH_TEST_VAR]"')).result, '[]\n');
    } finally {
      await t.tb('DELETE', '/process/session/before');
      await t.tb('DELETE', '/process/session/after');
    }
  });

  it('reports metrics within the sandbox limits', async () => {
    const m = (await t.tb('GET', '/system/metrics')).body;
    assert.equal(m.cpuCount, 1);
    assert.ok(m.cpuUsedPct >= 0 && m.cpuUsedPct <= 100);
    assert.equal(m.memTotal, 1024 ** 3);
    assert.ok(m.memUsed > 0 && m.memUsed < m.memTotal);
    assert.ok(m.diskTotal > 0 && m.diskUsed + m.diskFree === m.diskTotal);
    assert.ok(Math.abs(Date.parse(m.timestamp) / 1000 - m.timestampUnix) < 2);
  });

  it('lists listening ports and answers in-use checks', async () => {
    await t.tb('POST', '/process/session', { sessionId: 'http' });
    try {
      await t.tb('POST', '/process/session/http/exec', {
        command: 'exec python3 -m http.server 8765 --bind 127.0.0.1',
        runAsync: true,
      });
      await t.tb('POST', '/process/session', { sessionId: 'http6' });
      await t.tb('POST', '/process/session/http6/exec', {
        command: 'exec python3 -m http.server 8766 --bind ::',
        runAsync: true,
      });
      let ports: number[] = [];
      for (let i = 0; i < 50 && !(ports.includes(8765) && ports.includes(8766)); i++) {
        ports = (await t.tb('GET', '/port')).body.ports;
        if (!(ports.includes(8765) && ports.includes(8766))) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(ports.includes(8765) && ports.includes(8766), JSON.stringify(ports));
      assert.deepEqual(
        [...ports].sort((a, b) => a - b),
        ports,
      );
      assert.deepEqual((await t.tb('GET', '/port/8765/in-use')).body, { isInUse: true });
      assert.deepEqual((await t.tb('GET', '/port/8799/in-use')).body, { isInUse: false });
      assertDaemonError(await t.tb('GET', '/port/70000/in-use'), 400, 'BAD_REQUEST');
      assertDaemonError(await t.tb('GET', '/port/abc/in-use'), 400, 'BAD_REQUEST');
    } finally {
      await t.tb('DELETE', '/process/session/http');
      await t.tb('DELETE', '/process/session/http6');
    }
    let gone = true;
    for (let i = 0; i < 50; i++) {
      gone = !(await t.tb('GET', '/port/8765/in-use')).body.isInUse;
      if (gone) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(gone, 'deleting the session stopped the server');
  });

  it('answers every computer-use path with 501 and a hint', async () => {
    for (const [method, path] of [
      ['POST', '/computeruse/start'],
      ['GET', '/computeruse/status'],
      ['GET', '/computeruse/screenshot?showCursor=true'],
      ['POST', '/computeruse/mouse/click'],
      ['GET', '/computeruse/process/xvfb/logs'],
      ['DELETE', '/computeruse/recordings/abc'],
    ] as const) {
      const r = await t.tb(method, path, method === 'POST' ? {} : undefined);
      assertDaemonError(r, 501, 'NOT_IMPLEMENTED');
      assert.match(r.body.message, /computer use/);
      assert.ok(r.body.hint);
    }
    assert.equal(
      (await t.stack.api('GET', `/toolbox/${t.id}/computeruse/status`, undefined, { key: null })).status,
      401,
    );
  });
});

// The test harness itself must not pass without testing: a missing
// precondition fails under npm test (BERTH_TEST_STRICT=1), a run that would
// test nothing fails, and waiting for the network-namespace pool gives up
// loudly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readyNetns, type Stack } from '../helpers/stack.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const STRICT_JS = fileURLToPath(new URL('../helpers/strict.js', import.meta.url));

function node(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // Without the runner's own context variable, so the child runs its tests instead of reporting to us.
    const { NODE_TEST_CONTEXT: _, ...parent } = process.env;
    const childEnv = { ...parent, BERTH_TEST_STRICT: '', ...env };
    const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('test strictness', () => {
  it('skips a suite whose precondition is missing by hand, and fails it under BERTH_TEST_STRICT=1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-strict-'));
    try {
      const file = join(dir, 'needs.test.mjs');
      const suite = [
        "import { describe, it } from 'node:test';",
        `import { skipUnless, skipOrFail } from ${JSON.stringify(STRICT_JS)};`,
        "describe('needs root', { skip: skipUnless('needs the moon') }, () => { it('x', () => {}); });",
        "it('needs the registry', (t) => skipOrFail(t, 'the registry is unreachable'));",
      ];
      writeFileSync(file, suite.join('\n') + '\n');
      const byHand = await node(['--test', file]);
      assert.equal(byHand.code, 0, byHand.out);
      assert.match(byHand.out, /# SKIP needs the moon/);
      assert.match(byHand.out, /# SKIP the registry is unreachable/);
      const strict = await node(['--test', file], { BERTH_TEST_STRICT: '1' });
      assert.notEqual(strict.code, 0, strict.out);
      assert.match(strict.out, /precondition missing: needs the moon/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm test fails when it would run no test file', async () => {
    const none = await node(['scripts/test.mjs', '--plan', '--only=no-such-test-file', '--mode=sqlite']);
    assert.equal(none.code, 1, none.out);
    assert.match(none.out, /no test file would run \(--only=no-such-test-file matches none/);
    const redisOnly = await node(['scripts/test.mjs', '--plan', '--only=resume-redis', '--mode=sqlite']);
    assert.equal(redisOnly.code, 1, 'a Redis suite does not run (and so does not pass) without Redis');
    const one = await node(['scripts/test.mjs', '--plan', '--only=unit/test-strictness']);
    assert.equal(one.code, 0, one.out);
    assert.match(one.out, /^unit\tdist\/test\/unit\/test-strictness\.test\.js$/m);
  });

  it('gives up loudly when the network-namespace pool never fills', async () => {
    const stack = { server: { runner: { readyNetns: () => 0 } }, env: { BERTH_NETNS_POOL: '0' } } as unknown as Stack;
    await assert.rejects(readyNetns(stack, 1, 300), /pool has 0 ready after 0\.3 s, not 1/);
  });
});

// Every shell example of the README, run exactly as written against a live
// server, so the README cannot drift from what Berth does. Each ```sh (or
// ```bash) block is picked up as it is added, and runs as one bash script
// (`set -e -o pipefail`) from the repository root, blocks in README order;
// a comment `# prints X` on a line asks for X in the block's output. Left
// out: the two set-up commands, which install things and start a server of
// their own. The only rewrite: the default address http://localhost:3000
// becomes the test server's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type SpawnOptionsWithStdioTuple } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../helpers/stack.js';
import { cliEnv, ROOT } from './helpers.js';

const SETUP = new Set(['npm install && npx berth up', 'npm install && npm test']);

interface Example {
  /** Line of the README where the block starts. */
  line: number;
  script: string;
  /** What `# prints X` comments ask for. */
  prints: string[];
}

function readmeExamples(markdown: string): Example[] {
  const out: Example[] = [];
  const re = /^```(?:sh|bash)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    const lines = m[1]!.split('\n').filter((l) => !SETUP.has(l.trim()));
    const script = lines.join('\n').trim();
    if (!script) continue;
    const prints = [...script.matchAll(/#\s*prints\s+(.+)$/gm)].map((p) => p[1]!.trim());
    out.push({ line: markdown.slice(0, m.index).split('\n').length, script, prints });
  }
  return out;
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    // The ERR trap names the command that failed.
    const traced = `trap 'echo "FAILED (exit $?): $BASH_COMMAND" >&2' ERR\n${script}`;
    type Options = SpawnOptionsWithStdioTuple<'ignore', 'pipe', 'pipe'>;
    const options: Options = { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 };
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', traced], options);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('README shell examples', () => {
  let stack: Stack;
  let cfgDir: string;
  const examples = readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  before(async () => {
    stack = await startStack();
    cfgDir = mkdtempSync(join(tmpdir(), 'berth-readme-'));
  });
  after(async () => {
    await stack?.close();
    rmSync(cfgDir, { recursive: true, force: true });
  });

  it('finds the examples (and leaves out only the set-up commands)', () => {
    assert.ok(examples.length >= 1, 'no ```sh block besides the set-up commands');
    assert.ok(examples.some((e) => e.script.includes('npx berth sandbox exec')), 'the exec example is among them');
    assert.ok(!examples.some((e) => [...SETUP].some((s) => e.script.includes(s))));
  });

  for (const e of examples) {
    it(`runs the block at README.md line ${e.line} as written`, async () => {
      const env = { ...cliEnv(stack, join(cfgDir, 'cli.json')), npm_config_update_notifier: 'false' };
      const r = await bash(e.script.replaceAll('http://localhost:3000', stack.url), env);
      assert.equal(r.code, 0, `README.md line ${e.line}:\n${e.script}\n--- stdout\n${r.out}\n--- stderr\n${r.err}`);
      for (const p of e.prints) {
        assert.ok(r.out.includes(p), `README.md line ${e.line}: no ${JSON.stringify(p)} in the output:\n${r.out}`);
      }
    });
  }
});

// Every shell example of the README, run exactly as written against a live
// server, so the README cannot drift from what Berth does. Each ```sh (or
// ```bash) block is picked up as it is added, and runs as one bash script
// (`set -e -o pipefail`) from the repository root, blocks in README order;
// a comment `# prints X` on a line asks for X in the block's output. Left
// out: the two set-up commands, which install things and start a server of
// their own. The only rewrites: the default address http://localhost:3000 and
// SSH port 2222 become the test server's. The scripts run with a home folder
// of their own holding an SSH key pair, as a user's ~/.ssh would; OpenSSH
// finds its home through the password file, not $HOME, so `ssh` and `scp`
// are wrapped to read that folder's config, which accepts a new host key as a
// person answers the first-connection prompt.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type SpawnOptionsWithStdioTuple } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
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
    stack = await startStack({ ssh: true });
    cfgDir = mkdtempSync(join(tmpdir(), 'berth-readme-'));
    const ssh = join(cfgDir, 'home', '.ssh');
    mkdirSync(ssh, { recursive: true, mode: 0o700 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'readme', '-f', join(ssh, 'id_ed25519')]);
    writeFileSync(
      join(ssh, 'config'),
      `Host *\n  IdentityFile ${join(ssh, 'id_ed25519')}\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile ${join(ssh, 'known_hosts')}\n`,
      { mode: 0o600 },
    );
    mkdirSync(join(cfgDir, 'bin'));
    for (const tool of ['ssh', 'scp']) {
      const real = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      writeFileSync(join(cfgDir, 'bin', tool), `#!/bin/sh\nexec ${real} -F "${join(ssh, 'config')}" "$@"\n`, {
        mode: 0o755,
      });
    }
  });
  after(async () => {
    await stack?.close();
    rmSync(cfgDir, { recursive: true, force: true });
  });

  it('finds the examples (and leaves out only the set-up commands)', () => {
    assert.ok(examples.length >= 1, 'no ```sh block besides the set-up commands');
    assert.ok(
      examples.some((e) => e.script.includes('npx berth sandbox exec')),
      'the exec example is among them',
    );
    assert.ok(!examples.some((e) => [...SETUP].some((s) => e.script.includes(s))));
  });

  for (const e of examples) {
    it(`runs the block at README.md line ${e.line} as written`, async () => {
      const env = {
        ...cliEnv(stack, join(cfgDir, 'cli.json')),
        npm_config_update_notifier: 'false',
        npm_config_cache: join(homedir(), '.npm'),
        HOME: join(cfgDir, 'home'),
        PATH: `${join(cfgDir, 'bin')}:${process.env.PATH}`,
      };
      const sshPort = String(stack.server.ssh!.port());
      const script = e.script
        .replaceAll('http://localhost:3000', stack.url)
        .replaceAll('-p 2222 ', `-p ${sshPort} `)
        .replaceAll('-P 2222 ', `-P ${sshPort} `);
      const r = await bash(script, env);
      assert.equal(r.code, 0, `README.md line ${e.line}:\n${e.script}\n--- stdout\n${r.out}\n--- stderr\n${r.err}`);
      for (const p of e.prints) {
        assert.ok(r.out.includes(p), `README.md line ${e.line}: no ${JSON.stringify(p)} in the output:\n${r.out}`);
      }
    });
  }
});

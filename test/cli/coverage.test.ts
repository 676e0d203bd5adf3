// The CLI covers every capability: each command `berth --help` lists
// completes in bash, `berth docs` finds and prints the guides, every listing
// answers JSON with --json, and a sandbox archives and starts again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../helpers/stack.js';
import { ROOT, cliEnv, runCli } from './helpers.js';

/** `berth --help`'s commands, as [command, subcommand?]. */
async function helpCommands(): Promise<string[][]> {
  const help = (await runCli(['--help'], process.env as Record<string, string>)).out;
  const section = help.slice(help.indexOf('Available Commands'), help.indexOf('For more info'));
  return [...section.matchAll(/^ {4}(\S+)(?: (\S+))?\s{2,}/gm)].map((m) => (m[2] ? [m[1]!, m[2]] : [m[1]!]));
}

/** What bash completes for `words` with the script of `berth autocomplete` sourced. */
function complete(script: string, words: string[]): string[] {
  const line = `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}`;
  const out = execFileSync('bash', ['-c', `${script}\n${line}; _berth_complete; echo "\${COMPREPLY[@]}"`], {
    encoding: 'utf8',
  });
  return out.trim().split(/\s+/).filter(Boolean);
}

describe('berth CLI coverage', () => {
  let stack: Stack;
  let cfgDir: string;
  let env: Record<string, string>;
  before(async () => {
    stack = await startStack();
    cfgDir = mkdtempSync(join(tmpdir(), 'berth-coverage-'));
    env = cliEnv(stack, join(cfgDir, 'cli.json'));
  });
  after(async () => {
    await stack?.close();
    rmSync(cfgDir, { recursive: true, force: true });
  });

  it('completes every command and subcommand that --help lists, in bash', async () => {
    const commands = await helpCommands();
    const expected = [
      'sandbox archive',
      'sandbox fork',
      'snapshot create',
      'registry add',
      'ssh-key add',
      'docs',
      'mcp',
      'audit',
      'runner',
      'runner token',
      'runner drain',
      'runner enable',
    ];
    for (const c of expected) {
      assert.ok(
        commands.some((x) => x.join(' ') === c),
        `--help lists ${c}`,
      );
    }
    const script = (await runCli(['autocomplete'], env)).out;
    const top = complete(script, ['berth', '']);
    for (const [c, sub] of commands) {
      assert.ok(top.includes(c!), `completes ${c}`);
      if (sub) assert.ok(complete(script, ['berth', c!, '']).includes(sub), `completes ${c} ${sub}`);
    }
    assert.deepEqual(complete(script, ['berth', 'snapshot', 'c']), ['create']);
    assert.deepEqual(complete(script, ['berth', 'runner', 'token', '']), ['create', 'list', 'remove']);
  });

  it('says where the docs are and prints a guide', async () => {
    const list = await runCli(['docs'], env);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, new RegExp(`documentation is in ${join(ROOT, 'docs')}/`));
    assert.match(list.out, /^mcp\s+MCP server\s+\S+\/docs\/mcp\.md$/m);
    const json = JSON.parse((await runCli(['docs', '--json'], env)).out) as { topic: string; path: string }[];
    assert.ok(json.some((g) => g.topic === 'toolbox' && g.path === join(ROOT, 'docs/toolbox.md')));
    const mcp = await runCli(['docs', 'mcp'], env);
    assert.equal(mcp.out, readFileSync(join(ROOT, 'docs/mcp.md'), 'utf8'));
    const unknown = await runCli(['docs', 'nope'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no guide named "nope"\nhint: topics: .*\bmcp\b/);
  });

  it('prints every listing as JSON with --json', async () => {
    const listings = [
      ...[
        ['sandbox', 'list'],
        ['snapshot', 'list'],
        ['volume', 'list'],
        ['registry', 'list'],
      ],
      ...[['organization', 'list'], ['organization', 'members'], ['audit'], ['keys', 'list'], ['ssh-key', 'list']],
    ];
    for (const args of listings) {
      const r = await runCli([...args, '--json'], env);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      assert.ok(Array.isArray(JSON.parse(r.out)), `${args.join(' ')} --json is a JSON array: ${r.out.slice(0, 200)}`);
    }
    const keys = JSON.parse((await runCli(['keys', 'list', '--json'], env)).out) as unknown[];
    assert.ok(keys.length >= 1, 'the admin key is listed');
  });

  it('archives a sandbox and starts it again with its files', async () => {
    const sizes = ['--cpu', '1', '--memory', '1', '--disk', '1'];
    const created = await runCli(['sandbox', 'create', '--name', 'cov-archive', ...sizes, '--json'], env);
    assert.equal(created.code, 0, created.err);
    assert.equal((await runCli(['sandbox', 'exec', 'cov-archive', '--', 'echo kept > ~/keep.txt'], env)).code, 0);
    assert.equal((await runCli(['sandbox', 'stop', 'cov-archive'], env)).code, 0);
    const archived = await runCli(['sandbox', 'archive', 'cov-archive', '--json'], env);
    assert.equal(archived.code, 0, archived.err);
    assert.equal(JSON.parse(archived.out).state, 'archived');
    assert.match((await runCli(['sandbox', 'info', 'cov-archive'], env)).out, /cov-archive\s+archived/);
    assert.equal((await runCli(['sandbox', 'start', 'cov-archive'], env)).code, 0);
    assert.equal((await runCli(['sandbox', 'exec', 'cov-archive', '--', 'cat ~/keep.txt'], env)).out, 'kept\n');
    assert.equal((await runCli(['sandbox', 'delete', 'cov-archive'], env)).code, 0);
  });
});

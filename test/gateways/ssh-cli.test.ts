// The SSH gateway from the CLI and MCP: `berth sandbox ssh <name> -- cmd`
// runs the system ssh with a short-lived token (host key checked, token
// revoked afterwards), `berth ssh-key add|list|remove` manage the keys people
// log in with, and the MCP tool sandbox_ssh_access returns a working command.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectHttp, text } from '../mcp/helpers.js';
import { newKey, run, ssh, sshFixture, type SshFixture } from './ssh-helpers.js';

const BIN = fileURLToPath(new URL('../../../bin/berth.js', import.meta.url));

describe('ssh gateway: CLI and MCP', () => {
  let f: SshFixture;
  const berth = (args: string[]) =>
    run(process.execPath, [BIN, ...args], {
      env: { BERTH_API_URL: f.stack.apiUrl, BERTH_API_KEY: f.stack.key, BERTH_CONFIG: join(f.dir, 'cli.json') },
    });

  before(async () => {
    f = await sshFixture();
  });
  after(async () => {
    await f?.close();
  });

  it('`berth sandbox ssh <name> -- cmd` runs the command and exits with its code, then revokes its token', async () => {
    const r = await berth(['sandbox', 'ssh', f.name, '--', 'echo', 'hi from', '$((6*7));', 'exit 3']);
    assert.equal(r.stdout, 'hi from 42\n', r.stderr);
    assert.equal(r.code, 3);
    await f.stack.server.orch.audit.flush();
    const actions = (await f.stack.api('GET', '/audit?action=sandbox.ssh_access')).body.items.map(
      (e: { action: string }) => e.action,
    );
    assert.deepEqual(actions.slice(0, 2), ['sandbox.ssh_access.revoke', 'sandbox.ssh_access.create']);
  });

  it('`berth ssh-key add|list|remove` manage the keys people log in with', async () => {
    const key = await newKey(f.dir, 'cli-key');
    const added = await berth(['ssh-key', 'add', `${key}.pub`, '--name', 'laptop']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /added SSH key laptop \(SHA256:/);
    const list = JSON.parse((await berth(['ssh-key', 'list', '--json'])).stdout);
    assert.deepEqual(
      list.map((k: { name: string }) => k.name),
      ['laptop'],
    );
    assert.equal((await ssh(f, f.name, ['-i', key, 'echo', 'in'])).stdout, 'in\n');
    assert.equal((await berth(['ssh-key', 'remove', 'laptop'])).code, 0);
    assert.equal((await ssh(f, f.name, ['-i', key, 'true'])).code, 255);
    const missing = await berth(['ssh-key', 'add', join(f.dir, 'nope.pub')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
  });

  it('the MCP tool sandbox_ssh_access returns a command that logs in', async () => {
    const mcp = await connectHttp(f.stack.url, f.stack.key);
    try {
      const r = (await mcp.client.callTool({
        name: 'sandbox_ssh_access',
        arguments: { sandbox_id: f.name, expires_in_minutes: 5 },
      })) as { isError?: boolean; content?: unknown; structuredContent?: unknown };
      assert.ok(!r.isError, text(r));
      const data = r.structuredContent as { ssh_command: string; token: string };
      assert.equal(data.ssh_command, `ssh -p ${f.port} ${data.token}@localhost`);
      assert.match(text(r), /Log in with:/);
      const login = await run('ssh', [...f.opts, ...data.ssh_command.split(' ').slice(1), 'echo', 'via mcp']);
      assert.equal(login.stdout, 'via mcp\n', login.stderr);
    } finally {
      await mcp.close();
    }
  });
});

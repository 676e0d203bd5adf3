// The tenancy commands of the `berth` CLI, spawned as a binary against a real
// server: organizations (list, create, use, invite, accept, members, quota,
// usage), keys and the audit log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../helpers/stack.js';
import type { Json } from '../helpers/json.js';

const BIN = fileURLToPath(new URL('../../../bin/berth.js', import.meta.url));

describe('berth CLI: organizations, keys, audit', () => {
  let stack: Stack;
  let dir: string;
  // Asynchronous: the server under test runs in this process's event loop.
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: {
          ...process.env,
          BERTH_API_URL: stack.apiUrl,
          BERTH_API_KEY: stack.key,
          BERTH_CONFIG: join(dir, 'cli.json'),
          ...env,
        },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out, err });
      });
    });
  before(async () => {
    stack = await startStack();
    dir = mkdtempSync(join(tmpdir(), 'berth-cli-sec-'));
  });
  after(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an organization, switches to it, invites and lists members', async () => {
    const created = await run(['organization', 'create', 'CLI Team', '--json']);
    assert.equal(created.code, 0, created.err);
    const org = JSON.parse(created.out);
    assert.match((await run(['organization', 'list'])).out, /CLI Team\s+owner/);
    const use = await run(['organization', 'use', 'CLI Team']);
    assert.equal(use.code, 0, use.err);
    assert.equal(JSON.parse(readFileSync(join(dir, 'cli.json'), 'utf8')).organizationId, org.id);
    assert.match((await run(['organization', 'list'])).out, new RegExp(`\\*\\s+${org.id}`));
    const inv = await run(['organization', 'invite', 'kim@example.test', '--role', 'admin']);
    assert.equal(inv.code, 0, inv.err);
    const token = /organization accept (berth_inv_\S+)/.exec(inv.out)?.[1];
    assert.ok(token, inv.out);
    const acc = await run(['organization', 'accept', token!, '--json'], { BERTH_API_KEY: '' });
    assert.equal(acc.code, 0, acc.err);
    assert.equal(JSON.parse(acc.out).organizationId, org.id);
    const members = JSON.parse((await run(['organization', 'members', '--json'])).out);
    assert.deepEqual(members.map((m: Json) => [m.email, m.role]).sort(), [
      ['admin@localhost', 'owner'],
      ['kim@example.test', 'admin'],
    ]);
    assert.equal(
      (await run(['organization', 'accept', token!], { BERTH_API_KEY: '' })).code,
      4,
      'a used token is not found',
    );
    assert.equal((await run(['organization', 'use', 'No Such Org'])).code, 4);
  });

  it('creates, lists and revokes keys; a revoked key fails with the auth exit code', async () => {
    const k = await run(['keys', 'create', 'ci', '--permission', 'write:sandboxes', '--json']);
    assert.equal(k.code, 0, k.err);
    const value = JSON.parse(k.out).value as string;
    const list = await run(['keys', 'list']);
    assert.match(list.out, /ci\s+berth_\S+…\s+write:sandboxes/);
    assert.ok(!list.out.includes(value));
    assert.equal((await run(['sandbox', 'list'], { BERTH_API_KEY: value })).code, 0);
    assert.equal((await run(['keys', 'revoke', 'ci'])).code, 0);
    assert.equal((await run(['sandbox', 'list'], { BERTH_API_KEY: value })).code, 3);
    const up = await run(['keys', 'create', 'up', '--permission', 'read:audit_logs'], { BERTH_API_KEY: value });
    assert.equal(up.code, 3);
  });

  it('shows and (as administrator) changes quotas, shows usage and the audit log', async () => {
    const set = await run(['organization', 'quota', '--sandboxes', '3', '--cpu', 'unlimited', '--json']);
    assert.equal(set.code, 0, set.err);
    const q = JSON.parse(set.out);
    assert.equal(q.quotas.sandboxes, 3);
    assert.equal(q.quotas.cpu, -1);
    assert.match((await run(['organization', 'quota'])).out, /sandboxes\s+3\s+0\s+organization/);
    assert.equal(
      JSON.parse((await run(['organization', 'quota', '--sandboxes', 'default', '--json'])).out).quotas.sandboxes,
      100,
    );
    assert.equal((await run(['organization', 'usage'])).code, 0);
    const audit = await run(['audit', '--action', 'api_key', '--json']);
    assert.equal(audit.code, 0, audit.err);
    const actions = JSON.parse(audit.out).map((e: Json) => e.action);
    assert.ok(actions.includes('api_key.create') && actions.includes('api_key.revoke'), actions.join(','));
    assert.match((await run(['audit', '--limit', '5'])).out, /ACTION/);
    assert.equal((await run(['audit', '--outcome', 'maybe'])).code, 2);
  });
});

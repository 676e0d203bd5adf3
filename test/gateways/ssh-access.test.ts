// The SSH access API as the real Daytona SDK calls it (createSshAccess,
// validateSshAccess, revokeSshAccess), its bad input, tokens of another
// organization, people's key API, and the host key: shown by GET /api/config,
// the one clients see, and the same after a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Daytona } from '@daytonaio/sdk';
import { otherOrganizationKey } from '../helpers/other-org.js';
import { startStack } from '../helpers/stack.js';
import { newKey, run, ssh, sshFixture, type SshFixture } from './ssh-helpers.js';

describe('ssh gateway: access API', () => {
  let f: SshFixture;
  let daytona: Daytona;

  before(async () => {
    f = await sshFixture();
    daytona = new Daytona({ apiKey: f.stack.key, apiUrl: f.stack.apiUrl });
  });
  after(async () => {
    await daytona?.[Symbol.asyncDispose]().catch(() => {});
    await f?.close();
  });

  it('creates, validates and revokes access with the Daytona SDK', async () => {
    const sandbox = await daytona.get(f.id);
    const access = await sandbox.createSshAccess(5);
    assert.match(access.token, /^[a-z0-9]{32}$/);
    assert.equal(access.sandboxId, f.id);
    assert.equal(access.sshCommand, `ssh -p ${f.port} ${access.token}@localhost`);
    const left = new Date(access.expiresAt).getTime() - Date.now();
    assert.ok(left > 4 * 60_000 && left <= 5 * 60_000, `expires in ${left} ms`);
    assert.deepEqual(await sandbox.validateSshAccess(access.token), { valid: true, sandboxId: f.id });
    assert.equal((await ssh(f, access.token, ['echo', 'ok'])).stdout, 'ok\n');
    await sandbox.revokeSshAccess(access.token);
    assert.equal((await sandbox.validateSshAccess(access.token)).valid, false);
    assert.equal((await ssh(f, access.token, ['true'])).code, 255);
  });

  it('revokes every token of the sandbox without ?token=', async () => {
    const a = await f.token();
    const b = await f.token();
    const r = await f.stack.api('DELETE', `/sandbox/${f.id}/ssh-access`);
    assert.equal(r.status, 200);
    assert.equal(r.body.id, f.id, 'answers the sandbox, as Daytona does');
    for (const t of [a, b])
      assert.equal((await f.stack.api('GET', `/sandbox/ssh-access/validate?token=${t}`)).body.valid, false);
  });

  it('answers bad input with 4xx and a hint', async () => {
    for (const q of ['0', '-5', '1.5', 'abc', '100000']) {
      const r = await f.stack.api('POST', `/sandbox/${f.id}/ssh-access?expiresInMinutes=${q}`);
      assert.equal(r.status, 400, q);
    }
    assert.equal((await f.stack.api('POST', '/sandbox/no-such-sandbox/ssh-access')).status, 404);
    assert.equal((await f.stack.api('GET', '/sandbox/ssh-access/validate')).status, 400);
    assert.equal((await f.stack.api('DELETE', `/sandbox/${f.id}/ssh-access?token=${'q'.repeat(32)}`)).status, 404);
    assert.equal((await f.stack.api('POST', `/sandbox/${f.id}/ssh-access`, undefined, { key: null })).status, 401);
    assert.equal(
      (await f.stack.api('POST', '/users/me/ssh-keys', { publicKey: 'ssh-ed25519 not-base64!' })).status,
      400,
    );
    assert.equal((await f.stack.api('POST', '/users/me/ssh-keys', { publicKey: 'x', extra: 1 })).status, 400);
    assert.equal((await f.stack.api('DELETE', '/users/me/ssh-keys/nope')).status, 404);
  });

  it('keeps tokens and sandboxes of another organization apart', async () => {
    const token = await f.token();
    const other = await otherOrganizationKey(f.stack);
    assert.deepEqual(
      (await f.stack.api('GET', `/sandbox/ssh-access/validate?token=${token}`, undefined, { key: other })).body,
      { valid: false, sandboxId: '' },
    );
    assert.equal((await f.stack.api('POST', `/sandbox/${f.id}/ssh-access`, undefined, { key: other })).status, 404);
    assert.equal((await f.stack.api('DELETE', `/sandbox/${f.id}/ssh-access`, undefined, { key: other })).status, 404);
    // Their key does not open our sandbox either.
    const key = await newKey(f.dir, 'other');
    assert.equal(
      (
        await f.stack.api(
          'POST',
          '/users/me/ssh-keys',
          { publicKey: readFileSync(`${key}.pub`, 'utf8'), name: 'other' },
          { key: other },
        )
      ).status,
      201,
    );
    const r = await ssh(f, f.id, ['-i', key, 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no sandbox/);
  });

  it('lists and removes keys, and a key belongs to one user', async () => {
    const key = await newKey(f.dir, 'listed');
    const pub = readFileSync(`${key}.pub`, 'utf8');
    assert.equal((await f.stack.api('POST', '/users/me/ssh-keys', { publicKey: pub, name: 'laptop' })).status, 201);
    assert.equal((await f.stack.api('POST', '/users/me/ssh-keys', { publicKey: pub, name: 'again' })).status, 409);
    const list = await f.stack.api('GET', '/users/me/ssh-keys');
    const k = list.body.find((x: { name: string }) => x.name === 'laptop');
    assert.equal(k.type, 'ssh-ed25519');
    const printed = await run('ssh-keygen', ['-lf', `${key}.pub`]);
    assert.equal(printed.stdout.split(' ')[1], k.fingerprint, 'the fingerprint ssh-keygen prints');
    assert.equal((await f.stack.api('DELETE', `/users/me/ssh-keys/${encodeURIComponent(k.fingerprint)}`)).status, 204);
    assert.ok(
      !(await f.stack.api('GET', '/users/me/ssh-keys')).body.some((x: { name: string }) => x.name === 'laptop'),
    );
  });

  it('shows the host key clients see in GET /api/config, the same after a restart', async () => {
    const config = (await f.stack.api('GET', '/config')).body;
    assert.equal(config.ssh.port, f.port);
    assert.equal(config.ssh.host, 'localhost');
    const scan = await run('ssh-keyscan', ['-p', String(f.port), '-t', 'ed25519', '127.0.0.1']);
    const line = scan.stdout
      .trim()
      .split('\n')
      .find((l) => l.includes('ssh-ed25519'))!;
    const fp = await run('ssh-keygen', ['-lf', '-'], { input: line });
    assert.equal(fp.stdout.split(' ')[1], config.ssh.hostKeyFingerprint);
    // A second server on the same home keeps the key.
    await f.stack.stop();
    const again = await startStack({
      ssh: true,
      reuse: { home: f.stack.home, runnerId: f.stack.runnerId, key: f.stack.key },
    });
    try {
      assert.equal((await again.api('GET', '/config')).body.ssh.hostKeyFingerprint, config.ssh.hostKeyFingerprint);
    } finally {
      await again.stop();
    }
  });
});

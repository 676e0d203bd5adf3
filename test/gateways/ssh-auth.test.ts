// Who gets in through the SSH gateway, and for how long, with the real
// OpenSSH client: wrong, revoked and expired tokens are refused; people log
// in with a registered key by sandbox name or id; revoking a token, removing
// a key, losing membership or deleting the sandbox ends open sessions within
// a second; a stopped sandbox says so; logins are audited; failed logins are
// limited per address like the API's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../common/clock.js';
import { PERMISSIONS } from '../../orchestrator/keys/permissions.js';
import { createSandbox } from '../helpers/stack.js';
import { newKey, openSession, ssh, sshFixture, type SshFixture } from './ssh-helpers.js';

const DENIED = /Permission denied \(publickey\)/;

describe('ssh gateway: logins and sessions', () => {
  let f: SshFixture;
  const clock = new ManualClock(Date.now());

  before(async () => {
    f = await sshFixture({ stack: { clock } });
  });
  after(async () => {
    await f?.close();
  });

  /** Time from the end of `act` (the revoking request answered) to the session's ssh exiting, and what it printed. */
  async function endsWithin(user: string, act: () => Promise<unknown>, extra: string[] = []) {
    const s = await openSession(f, user, extra);
    await act();
    const t0 = Date.now();
    const r = await s.exit;
    return { ...r, ms: r.at - t0 };
  }

  it('refuses a token that was never issued, quickly', async () => {
    const r = await ssh(f, 'a'.repeat(32), ['true']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, DENIED);
    assert.ok(r.ms < 5000, `${r.ms} ms`);
  });

  it('closes a session within 1 s of its token being revoked, and refuses the token after', async () => {
    const token = await f.token();
    const r = await endsWithin(token, () => f.stack.api('DELETE', `/sandbox/${f.id}/ssh-access?token=${token}`));
    assert.ok(r.ms < 1000, `ended ${r.ms} ms after the revocation`);
    assert.match(r.stderr, /SSH access token was revoked/);
    assert.equal((await ssh(f, token, ['true'])).code, 255);
  });

  it('refuses an expired token; a session it opened goes on', async () => {
    const token = await f.token(1);
    const open = await openSession(f, token);
    await clock.advanceMinutes(2);
    const r = await ssh(f, token, ['true']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, DENIED);
    const still = await Promise.race([open.exit.then(() => 'ended'), sleep(500).then(() => 'open')]);
    assert.equal(still, 'open', 'expiry stops new logins only');
    open.kill();
    await open.exit;
  });

  it('lets a person in with a registered key, by sandbox name or id, and audits the login', async () => {
    const key = await newKey(f.dir, 'alice');
    const added = await f.stack.api('POST', '/users/me/ssh-keys', { publicKey: readFileSync(`${key}.pub`, 'utf8') });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.name, 'alice');
    assert.match(added.body.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    for (const user of [f.name, f.id]) {
      const r = await ssh(f, user, ['-i', key, 'whoami']);
      assert.equal(r.stdout, 'berth\n', r.stderr);
    }
    const unknown = await newKey(f.dir, 'mallory');
    const r = await ssh(f, f.name, ['-i', unknown, 'true']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, DENIED);
    await f.stack.server.orch.audit.flush();
    const audit = await f.stack.api('GET', '/audit?action=ssh.login');
    assert.ok(
      audit.body.items.some(
        (e: { details: { method: string; fingerprint?: string } }) =>
          e.details.method === 'publickey' && e.details.fingerprint === added.body.fingerprint,
      ),
    );
    assert.ok(!JSON.stringify(audit.body).includes('alice.pub'));
    const ex = await f.stack.api('GET', '/audit?action=ssh.exec');
    assert.ok(
      ex.body.items.some((e: { details: { program: string } }) => e.details.program === 'whoami'),
      'ssh.exec keeps the program name',
    );
  });

  it('tells a key holder which sandbox does not exist, and refuses key logins as a token', async () => {
    const key = `${f.dir}/alice`;
    const r = await ssh(f, 'no-such-sandbox', ['-i', key, 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /berth: no sandbox no-such-sandbox in your organizations/);
  });

  it('closes a session within 1 s of its key being removed, and refuses the key after', async () => {
    const key = `${f.dir}/alice`;
    const r = await endsWithin(f.name, () => f.stack.api('DELETE', '/users/me/ssh-keys/alice'), ['-i', key]);
    assert.ok(r.ms < 1000, `ended ${r.ms} ms after the removal`);
    assert.match(r.stderr, /SSH key was removed/);
    assert.match((await ssh(f, f.name, ['-i', key, 'true'])).stderr, DENIED);
  });

  it("closes a member's session within 1 s of their removal from the organization", async () => {
    const { store, orch } = f.stack.server;
    const now = Date.now();
    const userId = randomUUID();
    const own = randomUUID();
    await store.knex('users').insert({
      id: userId,
      email: `bob-${randomBytes(3).toString('hex')}@example.test`,
      name: 'Bob',
      system_admin: false,
      created_at: now,
    });
    await store
      .knex('organizations')
      .insert({ id: own, name: 'Bob', personal: true, created_at: now, updated_at: now });
    await store.knex('memberships').insert({ organization_id: own, user_id: userId, role: 'owner', created_at: now });
    await store.knex('memberships').insert({
      organization_id: f.stack.organizationId,
      user_id: userId,
      role: 'member',
      created_at: now,
    });
    const bobKey = (await orch.keys.create({ organizationId: own, userId, name: 'bob', permissions: [...PERMISSIONS] }))
      .value;
    const key = await newKey(f.dir, 'bob');
    assert.equal(
      (
        await f.stack.api(
          'POST',
          '/users/me/ssh-keys',
          { publicKey: readFileSync(`${key}.pub`, 'utf8') },
          { key: bobKey },
        )
      ).status,
      201,
    );
    const r = await endsWithin(
      f.name,
      () => f.stack.api('DELETE', `/organizations/${f.stack.organizationId}/users/${userId}`),
      ['-i', key],
    );
    assert.ok(r.ms < 1000, `ended ${r.ms} ms after the removal`);
    assert.match(r.stderr, /membership of the organization ended/);
    const again = await ssh(f, f.name, ['-i', key, 'true']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no sandbox/);
  });

  it('closes sessions within 1 s of their sandbox being deleted', async () => {
    const other = await createSandbox(f.stack, { autoStopInterval: 0 });
    const made = await f.stack.api('POST', `/sandbox/${other.id}/ssh-access`);
    const r = await endsWithin(made.body.token, () =>
      f.stack.api('DELETE', `/sandbox/${other.id}`).then((x) => assert.equal(x.status, 200)),
    );
    assert.ok(r.ms < 1000, `ended ${r.ms} ms after the delete`);
    assert.match(r.stderr, /is being deleted|was deleted/);
    assert.equal((await ssh(f, made.body.token, ['true'])).code, 255);
  });

  it('says when the sandbox is stopped', async () => {
    const token = await f.token();
    assert.equal((await f.stack.api('POST', `/sandbox/${f.id}/stop`)).body.state, 'stopped');
    const r = await ssh(f, token, ['true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /berth: sandbox .* is stopped\nhint: start it .*auto-start-on-request/);
    assert.equal((await f.stack.api('POST', `/sandbox/${f.id}/start`)).body.state, 'started');
    assert.equal((await ssh(f, token, ['true'])).code, 0);
  });

  it('starts a stopped sandbox that allows it, then runs the command', async () => {
    const token = await f.token();
    assert.equal(
      (await f.stack.api('PUT', `/sandbox/${f.id}/auto-start-on-request`, { autoStartOnRequest: true })).status,
      200,
    );
    try {
      assert.equal((await f.stack.api('POST', `/sandbox/${f.id}/stop`)).body.state, 'stopped');
      const r = await ssh(f, token, ['echo', 'up']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'up\n');
      assert.equal((await f.stack.api('GET', `/sandbox/${f.id}`)).body.state, 'started');
    } finally {
      await f.stack.api('PUT', `/sandbox/${f.id}/auto-start-on-request`, { autoStartOnRequest: false });
    }
  });

  it('refuses SSH access and key registration to a read-only API key', async () => {
    const ro = await f.stack.api('POST', '/api-keys', { name: 'ro-ssh', permissions: [] });
    assert.equal(
      (await f.stack.api('POST', `/sandbox/${f.id}/ssh-access`, undefined, { key: ro.body.value })).status,
      403,
    );
    const key = await newKey(f.dir, 'ro');
    assert.equal(
      (
        await f.stack.api(
          'POST',
          '/users/me/ssh-keys',
          { publicKey: readFileSync(`${key}.pub`, 'utf8') },
          { key: ro.body.value },
        )
      ).status,
      403,
    );
    const priv = await f.stack.api('POST', '/users/me/ssh-keys', { publicKey: readFileSync(key, 'utf8') });
    assert.equal(priv.status, 400);
    assert.match(priv.body.message, /private key/);
    assert.ok(!JSON.stringify(priv.body).includes('OPENSSH PRIVATE KEY'), 'the key is not echoed');
  });

  // Last: it leaves this address over the failed-login limit for the window.
  it('refuses wrong tokens from an address past the failed-login limit, never a good one', async () => {
    const token = await f.token();
    for (let i = 0; i < 6; i++) await ssh(f, `${'b'.repeat(31)}${i}`, ['true']);
    const ok = await ssh(f, token, ['true']);
    assert.equal(ok.code, 0, 'a valid token from the same address (NAT, proxy) still logs in');
    assert.equal((await ssh(f, `${'c'.repeat(31)}9`, ['true'])).code, 255);
  });
});

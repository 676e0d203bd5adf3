// Accounts, organizations, roles, invitations, API keys, quotas, usage,
// secrets and the audit log, through the REST API as real users would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../helpers/stack.js';
import { containerOf } from '../helpers/docker.js';
import { PERMISSIONS } from '../../orchestrator/keys/permissions.js';
import { as, denied, join, newOrganization, sleep } from './helpers.js';
import type { Json } from '../helpers/json.js';

const SMALL = { cpu: 1, memory: 1, disk: 1 };

describe('tenancy: organizations, keys, quotas, secrets, audit', () => {
  let stack: Stack;
  let admin: ReturnType<typeof as>;
  let teamA: string;
  let bob: { key: string; userId: string };
  let carol: { key: string; userId: string };
  const SECRET = `s3cr3t-${Math.random().toString(36).slice(2)}`;
  const seen: string[] = []; // credentials that must never reach the audit log

  before(async () => {
    stack = await startStack({ config: { rateLimitCreate: 100 } });
    admin = as(stack, stack.key);
    teamA = await newOrganization(stack, 'Team A');
    bob = await join(stack, stack.key, teamA, 'bob@example.test', 'member');
    carol = await join(stack, stack.key, teamA, 'carol@example.test', 'admin');
    seen.push(bob.key, carol.key);
  });
  after(async () => stack?.close());

  it('keeps the first admin key working with every permission', async () => {
    const r = await admin('GET', '/api-keys/current');
    assert.equal(r.status, 200);
    assert.deepEqual([...r.body.permissions].sort(), [...PERMISSIONS].sort());
    assert.ok(!r.body.value.includes(stack.key.slice(12)), 'lists never show the key');
  });

  it('lists organizations with roles; a personal default organization for everyone', async () => {
    const mine = (await admin('GET', '/organizations')).body;
    assert.ok(mine.some((o: Json) => o.personal && o.role === 'owner'));
    assert.ok(mine.some((o: Json) => o.id === teamA && o.role === 'owner'));
    const bobs = (await as(stack, bob.key)('GET', '/organizations')).body;
    assert.deepEqual(
      bobs.map((o: Json) => [o.personal, o.role]).sort(),
      [
        [false, 'member'],
        [true, 'owner'],
      ].sort(),
    );
    const members = (await admin('GET', `/organizations/${teamA}/users`)).body;
    assert.deepEqual(members.map((m: Json) => [m.email, m.role]).sort(), [
      ['admin@localhost', 'owner'],
      ['bob@example.test', 'member'],
      ['carol@example.test', 'admin'],
    ]);
  });

  it('switches organization per request with X-Daytona-Organization-ID, and 404s one the caller is not in', async () => {
    const vol = await admin('POST', '/volumes', { name: 'team-a-vol' }, { 'x-daytona-organization-id': teamA });
    assert.equal(vol.status, 200, JSON.stringify(vol.body));
    assert.equal(vol.body.organizationId, teamA);
    assert.ok(
      !(await admin('GET', '/volumes')).body.some((v: Json) => v.id === vol.body.id),
      'not in the key\u2019s own organization',
    );
    assert.ok(
      (await admin('GET', '/volumes', undefined, { 'x-daytona-organization-id': teamA })).body.some(
        (v: Json) => v.id === vol.body.id,
      ),
    );
    const personalOfBob = (await as(stack, bob.key)('GET', '/organizations')).body.find((o: Json) => o.personal).id;
    denied(
      await admin('GET', '/sandbox', undefined, { 'x-daytona-organization-id': personalOfBob }),
      404,
      'not_found',
      'foreign organization header',
    );
    denied(await admin('GET', `/organizations/${personalOfBob}/users`), 404, 'not_found', 'foreign organization path');
    assert.equal(
      (await admin('DELETE', `/volumes/${vol.body.id}`, undefined, { 'x-daytona-organization-id': teamA })).status,
      204,
    );
  });

  it('invites by email: the link token works once; existing users accept with their own key', async () => {
    const inv = await admin('POST', `/organizations/${teamA}/invitations`, { email: 'dave@example.test' });
    assert.equal(inv.status, 201);
    seen.push(inv.body.token);
    assert.match(inv.body.link, /\/api\/invitations\/accept\?token=berth_inv_/);
    assert.ok(
      (await admin('GET', `/organizations/${teamA}/invitations`)).body.some(
        (i: Json) => i.email === 'dave@example.test' && !i.token,
      ),
    );
    const ok = await as(stack, null)('POST', '/invitations/accept', { token: inv.body.token });
    assert.equal(ok.status, 200);
    seen.push(ok.body.apiKey);
    denied(
      await as(stack, null)('POST', '/invitations/accept', { token: inv.body.token }),
      404,
      'not_found',
      'token reuse',
    );
    // Bob is invited into the admin's personal organization and accepts with his own key.
    const own = (await admin('GET', '/organizations')).body.find((o: Json) => o.personal).id;
    const inv2 = await admin('POST', `/organizations/${own}/invitations`, { email: 'bob@example.test' });
    seen.push(inv2.body.token);
    const pending = (await as(stack, bob.key)('GET', '/organizations/invitations')).body;
    assert.deepEqual(
      pending.map((i: Json) => i.organizationId),
      [own],
    );
    assert.equal((await as(stack, bob.key)('POST', `/organizations/invitations/${inv2.body.id}/accept`)).status, 200);
    assert.ok(
      (await as(stack, bob.key)('GET', '/sandbox', undefined, { 'x-daytona-organization-id': own })).status === 200,
    );
    denied(
      await as(stack, carol.key)('POST', `/organizations/invitations/${inv2.body.id}/accept`),
      404,
      'not_found',
      'someone else\u2019s invitation',
    );
  });

  it('enforces roles: members cannot manage, admins cannot touch owners, an organization keeps an owner', async () => {
    const b = as(stack, bob.key);
    const c = as(stack, carol.key);
    denied(
      await b('POST', `/organizations/${teamA}/invitations`, { email: 'x@example.test' }),
      403,
      'forbidden',
      'member invites',
    );
    denied(
      await b('POST', `/organizations/${teamA}/users/${carol.userId}/access`, { role: 'member' }),
      403,
      'forbidden',
      'member changes roles',
    );
    denied(
      await c('POST', `/organizations/${teamA}/invitations`, { email: 'y@example.test', role: 'owner' }),
      403,
      'forbidden',
      'admin invites an owner',
    );
    assert.equal(
      (await c('POST', `/organizations/${teamA}/invitations`, { email: 'z@example.test', role: 'member' })).status,
      201,
    );
    const adminUser = (await admin('GET', '/api-keys/current')).body.userId;
    denied(
      await c('DELETE', `/organizations/${teamA}/users/${adminUser}`),
      403,
      'forbidden',
      'admin removes the owner',
    );
    denied(
      await admin('POST', `/organizations/${teamA}/users/${adminUser}/access`, { role: 'member' }),
      409,
      'failed_precondition',
      'last owner',
    );
    denied(
      await b('GET', '/audit', undefined, { 'x-daytona-organization-id': teamA }),
      403,
      'forbidden',
      'member reads audit',
    );
    assert.equal((await c('GET', '/audit', undefined, { 'x-daytona-organization-id': teamA })).status, 200);
  });

  it('creates keys no stronger than their creator; read-only keys read; revoked and expired keys stop at once', async () => {
    const b = as(stack, bob.key);
    denied(
      await b('POST', '/api-keys', { name: 'too-much', permissions: ['read:audit_logs'] }),
      403,
      'forbidden',
      'escalation',
    );
    denied(
      await b('POST', '/api-keys', { name: 'typo', permissions: ['write:sandbox'] }),
      400,
      'invalid_argument',
      'unknown permission',
    );
    const ro = await b('POST', '/api-keys', { name: 'read-only', permissions: [] });
    assert.equal(ro.status, 201);
    seen.push(ro.body.value);
    assert.match(ro.body.value, /^berth_/);
    const listed = (await b('GET', '/api-keys')).body.find((k: Json) => k.name === 'read-only');
    assert.deepEqual(listed.permissions, []);
    assert.ok(listed.value.endsWith('…') && !listed.value.includes(ro.body.value.slice(12)));
    const r = as(stack, ro.body.value);
    assert.equal((await r('GET', '/sandbox')).status, 200);
    denied(await r('POST', '/sandbox', SMALL), 403, 'forbidden', 'read-only create');
    denied(await r('POST', '/volumes', { name: 'nope' }), 403, 'forbidden', 'read-only volume');
    denied(await r('POST', '/secret', { name: 'x', value: 'y' }), 403, 'forbidden', 'read-only secret');
    // Revocation: the very next request fails.
    assert.equal((await b('DELETE', '/api-keys/read-only')).status, 204);
    denied(await r('GET', '/sandbox'), 401, 'unauthorized', 'revoked key');
    // Expiry.
    const soon = await b('POST', '/api-keys', {
      name: 'short',
      permissions: ['write:sandboxes'],
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    seen.push(soon.body.value);
    assert.equal((await as(stack, soon.body.value)('GET', '/sandbox')).status, 200);
    await sleep(1800);
    denied(await as(stack, soon.body.value)('GET', '/sandbox'), 401, 'unauthorized', 'expired key');
    denied(
      await b('POST', '/api-keys', {
        name: 'past',
        permissions: [],
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      }),
      400,
      'invalid_argument',
      'past expiry',
    );
  });

  it('narrows keys to the role at use time: a demoted admin loses read:audit_logs at once', async () => {
    const dave = await join(stack, stack.key, teamA, 'erin@example.test', 'admin');
    seen.push(dave.key);
    const d = as(stack, dave.key);
    assert.equal((await d('GET', '/audit')).status, 200);
    assert.equal(
      (await admin('POST', `/organizations/${teamA}/users/${dave.userId}/access`, { role: 'member' })).status,
      200,
    );
    denied(await d('GET', '/audit'), 403, 'forbidden', 'after demotion');
    // Removing a member ends their keys in that organization.
    assert.equal((await admin('DELETE', `/organizations/${teamA}/users/${dave.userId}`)).status, 204);
    denied(await d('GET', '/sandbox'), 401, 'unauthorized', 'removed member');
  });

  describe('quotas, usage and secrets', () => {
    let sb1: Json;
    let sb2: Json;
    const b = () => as(stack, bob.key);

    it('stores secrets encrypted and never returns them', async () => {
      const c = as(stack, carol.key);
      const s = await c('POST', '/secret', { name: 'db-pass', value: SECRET, description: 'the database' });
      assert.equal(s.status, 201, JSON.stringify(s.body));
      assert.ok(!JSON.stringify(s.body).includes(SECRET));
      for (const path of [`/secret/${s.body.id}`, '/secret/paginated', '/secret']) {
        const r = await c('GET', path);
        assert.equal(r.status, 200);
        assert.ok(!JSON.stringify(r.body).includes(SECRET), path);
      }
      const row = await stack.server.store.knex('secrets').where({ id: s.body.id }).first();
      assert.ok(!JSON.stringify(row).includes(SECRET), 'ciphertext at rest');
      denied(await b()('POST', '/secret', { name: 'mine', value: 'x' }), 403, 'forbidden', 'member writes a secret');
    });

    it('quota: a second sandbox over maxSandboxes is refused with used and limit, and nothing is left behind', async () => {
      denied(
        await b()('PUT', `/organizations/${teamA}/quotas`, { sandboxes: 100 }),
        403,
        'forbidden',
        'member sets quotas',
      );
      denied(
        await as(stack, carol.key)('PUT', `/organizations/${teamA}/quotas`, { sandboxes: 100 }),
        403,
        'forbidden',
        'org admin sets quotas',
      );
      const q = await admin('PUT', `/organizations/${teamA}/quotas`, {
        sandboxes: 1,
        cpu: 1,
        snapshots: 0,
        volumes: 0,
      });
      assert.equal(q.status, 200, JSON.stringify(q.body));
      assert.equal(q.body.quotas.sandboxes, 1);
      sb1 = (await b()('POST', '/sandbox', { ...SMALL, name: 'sb1' })).body;
      assert.equal(sb1.state, 'started', JSON.stringify(sb1));
      const over = await b()('POST', '/sandbox', { ...SMALL, name: 'sb-over' });
      denied(over, 403, 'quota_exceeded', 'second sandbox');
      assert.deepEqual(over.body.details, { quota: 'sandboxes', used: 1, requested: 1, limit: 1 });
      assert.equal((await b()('GET', '/sandbox')).body.items.length, 1, 'no half-created sandbox');
      denied(await b()('POST', '/volumes', { name: 'v' }), 403, 'quota_exceeded', 'volume quota');
      denied(
        await b()('POST', '/snapshots', { name: 'snap', imageName: 'berth/sandbox-base:latest' }),
        403,
        'quota_exceeded',
        'snapshot quota',
      );
    });

    it('quota: running cpu counts started sandboxes; stop frees it, start and resize are checked', async () => {
      await admin('PUT', `/organizations/${teamA}/quotas`, { sandboxes: 5 });
      const over = await b()('POST', '/sandbox', { ...SMALL, name: 'sb2' });
      denied(over, 403, 'quota_exceeded', 'running cpu');
      assert.equal(over.body.details.quota, 'cpu');
      assert.equal((await b()('POST', `/sandbox/${sb1.id}/stop`)).body.state, 'stopped');
      sb2 = (await b()('POST', '/sandbox', { ...SMALL, name: 'sb2', secrets: [{ DB_PASS: 'db-pass' }] })).body;
      assert.equal(sb2.state, 'started', JSON.stringify(sb2));
      denied(await b()('POST', `/sandbox/${sb1.id}/start`), 403, 'quota_exceeded', 'start over cpu');
      denied(await b()('POST', `/sandbox/${sb2.id}/resize`, { cpu: 2 }), 403, 'quota_exceeded', 'resize over cpu');
    });

    it('injects secrets as environment variables, never into the DTO or the container config; updates apply live', async () => {
      const r = await b()('POST', `/toolbox/${sb2.id}/process/execute`, { command: 'echo "[$DB_PASS]"' });
      assert.equal(r.body.result, `[${SECRET}]\n`);
      assert.ok(!JSON.stringify((await b()('GET', `/sandbox/${sb2.id}`)).body).includes(SECRET));
      assert.ok(
        !JSON.stringify((await containerOf(sb2.id).inspect()).Config.Env).includes(SECRET),
        'not in docker inspect',
      );
      const up = await b()('PUT', `/sandbox/${sb2.id}/secrets`, { secrets: [{ OTHER_NAME: 'db-pass' }] });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      const r2 = await b()('POST', `/toolbox/${sb2.id}/process/execute`, { command: 'echo "[$DB_PASS][$OTHER_NAME]"' });
      assert.equal(r2.body.result, `[][${SECRET}]\n`);
      denied(
        await b()('PUT', `/sandbox/${sb2.id}/secrets`, { secrets: [{ X: 'no-such-secret' }] }),
        404,
        'not_found',
        'unknown secret',
      );
    });

    it('reports usage recorded from the runner', async () => {
      await sleep(1500);
      const u = await b()('GET', '/usage');
      assert.equal(u.status, 200, JSON.stringify(u.body));
      assert.equal(u.body.used.runningSandboxes, 1);
      assert.equal(u.body.used.cpu, 1);
      assert.equal(u.body.quotas.cpu, 1);
      const one = u.body.sandboxes.find((s: Json) => s.sandboxId === sb1.id);
      const two = u.body.sandboxes.find((s: Json) => s.sandboxId === sb2.id);
      assert.equal(one.running, false);
      assert.equal(two.running, true);
      assert.ok(one.cpuMinutes > 0 && one.memoryGiBMinutes > 0 && one.diskGiBMinutes > 0, JSON.stringify(one));
      await sleep(300);
      const again = (await b()('GET', '/usage')).body.sandboxes;
      assert.equal(
        again.find((s: Json) => s.sandboxId === sb1.id).cpuMinutes,
        one.cpuMinutes,
        'a stopped sandbox accrues no cpu',
      );
      assert.ok(again.find((s: Json) => s.sandboxId === sb2.id).cpuMinutes > two.cpuMinutes, 'a running one does');
    });

    it('deletes sandboxes past the lifetime quota', async () => {
      await admin('PUT', `/organizations/${teamA}/quotas`, { lifetimeMinutes: 0 });
      const deleted = await stack.server.orch.enforceLifetimes();
      assert.deepEqual(deleted.sort(), [sb1.id, sb2.id].sort());
      await admin('PUT', `/organizations/${teamA}/quotas`, { lifetimeMinutes: null });
      for (let i = 0; i < 60 && (await b()('GET', '/sandbox')).body.items.length; i++) await sleep(500);
      assert.equal((await b()('GET', '/sandbox')).body.items.length, 0);
      const audit = (
        await admin('GET', '/audit?action=sandbox.delete', undefined, { 'x-daytona-organization-id': teamA })
      ).body.items;
      assert.ok(
        audit.some((e: Json) => e.actorType === 'system' && e.targetId === sb1.id),
        'recorded as Berth\u2019s own action',
      );
    });
  });

  it('records every mutating action with who, what, outcome and request id; never secrets', async () => {
    const reqId = `req-${Date.now()}`;
    await admin('POST', '/volumes', { name: 'audited' }, { 'x-request-id': reqId });
    const all = await admin('GET', '/audit?limit=1000', undefined, { 'x-daytona-organization-id': teamA });
    assert.equal(all.status, 200);
    const actions = new Set(all.body.items.map((e: Json) => e.action));
    for (const a of [
      'sandbox.create',
      'sandbox.stop',
      'sandbox.resize',
      'sandbox.secrets.set',
      'secret.create',
      'api_key.create',
      'api_key.revoke',
      'organization.invitation.create',
      'organization.member.role',
      'organization.member.remove',
      'organization.quotas.set',
      'toolbox.exec',
      'volume.create',
      'snapshot.create',
    ]) {
      assert.ok(actions.has(a), `missing ${a} in ${[...actions].join(', ')}`);
    }
    const denials = all.body.items.filter((e: Json) => e.outcome === 'denied');
    assert.ok(denials.some((e: Json) => e.action === 'sandbox.create' && e.errorCode === 'quota_exceeded'));
    assert.ok(denials.some((e: Json) => e.action === 'api_key.create' && e.errorCode === 'forbidden'));
    const exec = all.body.items.find((e: Json) => e.action === 'toolbox.exec');
    assert.equal(exec.frontend, 'toolbox');
    assert.equal(exec.userId, bob.userId);
    assert.match(exec.sourceIp, /127\.0\.0\.1/);
    const text = JSON.stringify(all.body);
    for (const s of [SECRET, ...seen]) assert.ok(!text.includes(s), 'a secret, key or token reached the audit log');
    assert.ok(!text.includes('echo'), 'commands are not recorded');
    const mine = (await admin('GET', '/audit?action=volume.create')).body.items.find(
      (e: Json) => e.requestId === reqId,
    );
    assert.ok(mine, 'request id recorded');
    assert.equal(mine.outcome, 'success');
    // Filters and pagination.
    const page1 = await admin('GET', '/audit?limit=2&action=sandbox', undefined, {
      'x-daytona-organization-id': teamA,
    });
    assert.equal(page1.body.items.length, 2);
    assert.ok(page1.body.items.every((e: Json) => e.action.startsWith('sandbox.')));
    const page2 = await admin('GET', `/audit?limit=2&action=sandbox&cursor=${page1.body.nextCursor}`, undefined, {
      'x-daytona-organization-id': teamA,
    });
    assert.ok(page2.body.items.length > 0);
    assert.ok(!page2.body.items.some((e: Json) => page1.body.items.some((x: Json) => x.id === e.id)));
    const denied2 = (await admin('GET', '/audit?outcome=denied', undefined, { 'x-daytona-organization-id': teamA }))
      .body.items;
    assert.ok(denied2.length > 0 && denied2.every((e: Json) => e.outcome === 'denied'));
    denied(await admin('GET', '/audit?outcome=maybe'), 400, 'invalid_argument', 'bad filter');
  });

  it('prunes audit entries past the retention', async () => {
    const before = (await admin('GET', '/audit?limit=1000')).body.items.length;
    assert.ok(before > 0);
    assert.equal(await stack.server.orch.audit.prune(30), 0, 'nothing is 30 days old');
    await stack.server.store.knex('audit_logs').update({ created_at: Date.now() - 31 * 86_400_000 });
    assert.ok((await stack.server.orch.audit.prune(30)) >= before);
  });
});

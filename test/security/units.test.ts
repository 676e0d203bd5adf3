// Unit tests of the security building blocks: DNS messages and domain
// matching, rate-limit windows, secret sealing, revocation matching, the
// audit wrapper and the toolbox daemon guard.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../common/clock.js';
import { createLogger } from '../../common/log.js';
import { AppError } from '../../common/errors.js';
import { answerAddresses, domainAllowed, parseQuestion, RCODE, readName, reply } from '../../runner/dns-message.js';
import { MemoryCounters } from '../../orchestrator/ratelimit/counters.js';
import { RateLimiter } from '../../orchestrator/ratelimit/limiter.js';
import { SecretBox } from '../../orchestrator/secrets/crypto.js';
import { revokedMatches } from '../../orchestrator/keys/service.js';
import { audited } from '../../orchestrator/audit/wrap.js';
import { guardDaemon } from '../../orchestrator/audit/daemon.js';
import type { AuditLog, AuditRecord } from '../../orchestrator/audit/log.js';
import type { Principal } from '../../orchestrator/principal.js';
import type { SandboxDaemon } from '../../common/wire/runner.js';

const log = createLogger({ level: 'silent' });
const principal = (permissions: string[]): Principal => ({ organizationId: 'o1', userId: 'u1', keyId: 'k1', permissions, role: 'member', systemAdmin: false, source: { ip: '1.2.3.4', frontend: 'rest', requestId: 'r1' } });

function query(name: string, type = 1): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const head = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([head, ...labels, Buffer.from([0, 0, type, 0, 1])]);
}

describe('DNS messages', () => {
  it('reads the question, lower-cased', () => {
    const q = parseQuestion(query('Api.Example.COM'));
    assert.deepEqual([q.id, q.name, q.type], [0x1234, 'api.example.com', 1]);
  });
  it('rejects malformed and looping names', () => {
    assert.throws(() => parseQuestion(Buffer.alloc(5)));
    const loop = Buffer.concat([Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([0xc0, 12])]);
    assert.throws(() => readName(loop, 12), /compression|name/);
    assert.throws(() => parseQuestion(Buffer.concat([Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([63, 1, 2])])));
  });
  it('builds refusals that echo the question', () => {
    const msg = query('blocked.test');
    const r = reply(msg, parseQuestion(msg), RCODE.NXDOMAIN);
    assert.equal(r.readUInt16BE(0), 0x1234);
    assert.equal(r[3]! & 0x0f, RCODE.NXDOMAIN);
    assert.equal(r[2]! & 0x80, 0x80);
    assert.equal(parseQuestion(Buffer.concat([r.subarray(0, 4), Buffer.from([0, 1]), r.subarray(6)])).name, 'blocked.test');
  });
  it('extracts A records, following compression, ignoring others', () => {
    const msg = query('a.test');
    const head = reply(msg, parseQuestion(msg), 0);
    head.writeUInt16BE(2, 6);
    const aaaa = Buffer.from([0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, ...Buffer.alloc(16)]);
    const a = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 203, 0, 113, 9]);
    assert.deepEqual(answerAddresses(Buffer.concat([head, aaaa, a])), ['203.0.113.9']);
  });
  it('matches exact names and *. subdomains only', () => {
    const list = ['pypi.org', '*.pythonhosted.org'];
    for (const n of ['pypi.org', 'PyPI.org.', 'files.pythonhosted.org', 'a.b.pythonhosted.org']) assert.ok(domainAllowed(n, list), n);
    for (const n of ['evil-pypi.org', 'pypi.org.evil.com', 'pythonhosted.org', 'xpythonhosted.org', 'www.pypi.org']) assert.ok(!domainAllowed(n, list), n);
  });
});

describe('rate limiter', () => {
  it('counts per window, reports the budget and resets with the next window', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 30));
    const rl = new RateLimiter(new MemoryCounters(), { windowSeconds: 60, limits: { anonymous: 2, authenticated: 0, failedAuth: 3, create: 1, lifecycle: 1 } }, clock, log);
    assert.deepEqual(await rl.take('anonymous', 'ip'), { limit: 2, remaining: 1, resetSeconds: 30 });
    assert.equal((await rl.take('anonymous', 'ip'))?.remaining, 0);
    await assert.rejects(rl.take('anonymous', 'ip'), (e: AppError) => e.code === 'rate_limited' && e.details?.retryAfterSeconds === 30 && !!e.hint);
    assert.equal(await rl.take('authenticated', 'k'), null, '0 turns a limit off');
    await rl.take('anonymous', 'other-ip');
    clock.advance(30_000);
    assert.equal((await rl.take('anonymous', 'ip'))?.remaining, 1);
  });
  it('names the setting that raises a limit in its 429', async () => {
    const rl = new RateLimiter(new MemoryCounters(), { windowSeconds: 60, limits: { anonymous: 0, authenticated: 0, failedAuth: 0, create: 1, lifecycle: 0 } }, new ManualClock(), log);
    await rl.take('create', 'org');
    await assert.rejects(rl.take('create', 'org'), (e: AppError) => /BERTH_RATE_LIMIT_CREATE/.test(e.hint ?? '') && e.details?.setting === 'BERTH_RATE_LIMIT_CREATE');
  });
  it('fails open when its counters are unavailable', async () => {
    const broken = { kind: 'memory' as const, hit: async () => Promise.reject(new Error('down')), namespace: () => {}, close: async () => {} };
    const rl = new RateLimiter(broken, { windowSeconds: 60, limits: { anonymous: 1, authenticated: 1, failedAuth: 1, create: 1, lifecycle: 1 } }, new ManualClock(), log);
    assert.equal(await rl.take('anonymous', 'ip'), null);
    assert.equal(await rl.take('failedAuth', 'ip'), null);
  });
});

describe('secret box', () => {
  const box = new SecretBox(randomBytes(32));
  it('round-trips, and binds the ciphertext to its organization and id', () => {
    const sealed = box.seal('hunter2', 'org1:s1');
    assert.ok(!sealed.includes('hunter2'));
    assert.equal(box.open(sealed, 'org1:s1'), 'hunter2');
    assert.throws(() => box.open(sealed, 'org2:s1'), /cannot be decrypted/);
    assert.throws(() => new SecretBox(randomBytes(32)).open(sealed, 'org1:s1'), /cannot be decrypted/);
    assert.notEqual(box.seal('x', 'a'), box.seal('x', 'a'), 'fresh nonce every time');
  });
});

describe('revocation matching', () => {
  const p = { keyId: 'k1', userId: 'u1', organizationId: 'o1' };
  it('matches a key, a removed member in one organization, or a deleted organization', () => {
    assert.ok(revokedMatches({ keyId: 'k1', organizationId: 'o1' }, p));
    assert.ok(!revokedMatches({ keyId: 'k2', organizationId: 'o1' }, p));
    assert.ok(revokedMatches({ userId: 'u1', organizationId: 'o1' }, p));
    assert.ok(!revokedMatches({ userId: 'u1', organizationId: 'o2' }, p));
    assert.ok(revokedMatches({ organizationId: 'o1' }, p));
    assert.ok(!revokedMatches({ organizationId: 'o2' }, p));
  });
});

describe('facade auditing and the daemon guard', () => {
  const recorded: AuditRecord[] = [];
  const audit = { record: (_p: Principal, r: AuditRecord) => recorded.push(r) } as unknown as AuditLog;

  it('records outcomes and checks the row\u2019s permission first', async () => {
    const svc = {
      async make(_p: Principal, name: string) {
        return { id: `id-${name}` };
      },
      async fail(_p: Principal) {
        throw new AppError('quota_exceeded', 'over');
      },
      async read(_p: Principal) {
        return 1;
      },
    };
    const w = audited(svc, { make: { action: 'thing.make', target: (_a, r) => ({ type: 'thing', id: r?.id }), details: (a) => ({ name: a[1] }) }, fail: { action: 'thing.fail' }, read: { action: 'thing.read', permission: 'write:sandboxes' } }, audit);
    recorded.length = 0;
    assert.deepEqual(await w.make(principal([]), 'x'), { id: 'id-x' });
    await assert.rejects(w.fail(principal([])));
    await assert.rejects(w.read(principal([])), /write:sandboxes/);
    assert.deepEqual(
      recorded.map((r) => [r.action, r.outcome, r.errorCode ?? null, r.target?.id ?? null]),
      [
        ['thing.make', 'success', null, 'id-x'],
        ['thing.fail', 'denied', 'quota_exceeded', null],
        ['thing.read', 'denied', 'forbidden', null],
      ],
    );
  });

  it('lets read-only principals read and stops them from changing anything', async () => {
    const calls: string[] = [];
    const fake = new Proxy({}, { get: (_t, name) => async (...args: unknown[]) => (calls.push(`${String(name)}:${String(args[0])}`), { ok: true }) }) as SandboxDaemon;
    recorded.length = 0;
    const ro = guardDaemon(fake, principal([]), 's1', audit);
    await ro.stat('/a');
    await ro.list('/');
    await ro.call('GET', '/git/status');
    await assert.rejects(ro.exec({ command: 'id' }), (e: AppError) => e.code === 'forbidden');
    await assert.rejects(ro.upload('/x', null as never), (e: AppError) => e.code === 'forbidden');
    await assert.rejects(ro.call('POST', '/git/commit'), (e: AppError) => e.code === 'forbidden');
    await assert.rejects(ro.open('POST', '/process/pty/create-connect'), (e: AppError) => e.code === 'forbidden');
    assert.deepEqual(calls, ['stat:/a', 'list:/', 'call:GET']);
    const rw = guardDaemon(fake, principal(['write:sandboxes']), 's1', audit);
    await rw.exec({ command: 'secret-command' });
    await rw.call('POST', '/git/commit', { body: { message: 'x' } });
    assert.deepEqual(
      recorded.map((r) => [r.action, r.outcome]),
      [
        ['toolbox.exec', 'denied'],
        ['toolbox.files.upload', 'denied'],
        ['toolbox.git', 'denied'],
        ['toolbox.process', 'denied'],
        ['toolbox.exec', 'success'],
        ['toolbox.git', 'success'],
      ],
    );
    assert.ok(!JSON.stringify(recorded).includes('secret-command'), 'commands are not recorded');
  });
});

// Unit tests of the security building blocks: DNS messages and domain
// matching, rate-limit windows, secret sealing, revocation matching, the
// audit wrapper and the toolbox daemon guard.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../common/clock.js';
import { createLogger } from '../../common/log.js';
import { AppError } from '../../common/errors.js';
import * as dns from 'dns-packet';
import { answerAddresses, domainAllowed, parseQuery, RCODE, reply } from '../../runner/egress-dns.js';
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
const principal = (permissions: string[]): Principal => ({
  organizationId: 'o1',
  userId: 'u1',
  keyId: 'k1',
  permissions,
  role: 'member',
  systemAdmin: false,
  source: { ip: '1.2.3.4', frontend: 'rest', requestId: 'r1' },
});

const query = (name: string, type: 'A' | 'AAAA' = 'A') =>
  dns.encode({ type: 'query', id: 0x1234, flags: dns.RECURSION_DESIRED, questions: [{ type, class: 'IN', name }] });

describe('DNS messages', () => {
  it('reads the question, lower-cased', () => {
    const q = parseQuery(query('Api.Example.COM'));
    assert.deepEqual([q.id, q.name, q.question.type], [0x1234, 'api.example.com', 'A']);
  });
  it('rejects malformed and looping names', () => {
    assert.throws(() => parseQuery(Buffer.alloc(5)));
    const loop = Buffer.concat([
      Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0xc0, 12, 0, 1, 0, 1]),
    ]);
    assert.throws(() => parseQuery(loop), /name/);
    assert.throws(() =>
      parseQuery(Buffer.concat([Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([63, 1, 2])])),
    );
    const two = dns.encode({
      type: 'query',
      id: 1,
      questions: [
        { type: 'A', name: 'a.test' },
        { type: 'A', name: 'b.test' },
      ],
    });
    assert.throws(() => parseQuery(two), /exactly one question/);
  });
  it('builds refusals that echo the id, the question and the recursion flag', () => {
    const msg = query('blocked.test');
    const r = dns.decode(reply(msg, parseQuery(msg), RCODE.NXDOMAIN)) as dns.DecodedPacket & { rcode: string };
    assert.deepEqual([r.id, r.type, r.rcode, r.flag_rd, r.flag_ra], [0x1234, 'response', 'NXDOMAIN', true, true]);
    assert.deepEqual(r.questions, [{ name: 'blocked.test', type: 'A', class: 'IN' }]);
    const formerr = dns.decode(reply(Buffer.from([0xab, 0xcd, 0x01]), null, RCODE.FORMERR)) as dns.DecodedPacket & {
      rcode: string;
    };
    assert.deepEqual([formerr.id, formerr.rcode, formerr.questions?.length], [0xabcd, 'FORMERR', 0]);
  });
  it('extracts A records, following compression, ignoring others', () => {
    const answer = dns.encode({
      type: 'response',
      id: 0x1234,
      questions: [{ type: 'A', name: 'a.test' }],
      answers: [
        { type: 'AAAA', name: 'a.test', data: '2001:db8::1' },
        { type: 'A', name: 'a.test', data: '203.0.113.9' },
      ],
    });
    assert.deepEqual(answerAddresses(answer), ['203.0.113.9']);
    // A hand-made answer whose record names point back at the question (as resolvers send them).
    const head = Buffer.from(query('a.test'));
    head.writeUInt16BE(1, 6);
    const a = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 7]);
    assert.deepEqual(answerAddresses(Buffer.concat([head, a])), ['198.51.100.7']);
  });
  it('matches exact names and *. subdomains only', () => {
    const list = ['pypi.org', '*.pythonhosted.org'];
    for (const n of ['pypi.org', 'PyPI.org.', 'files.pythonhosted.org', 'a.b.pythonhosted.org'])
      assert.ok(domainAllowed(n, list), n);
    for (const n of ['evil-pypi.org', 'pypi.org.evil.com', 'pythonhosted.org', 'xpythonhosted.org', 'www.pypi.org'])
      assert.ok(!domainAllowed(n, list), n);
  });
});

describe('rate limiter', () => {
  it('counts per window, reports the budget and resets with the next window', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 30));
    const rl = new RateLimiter(
      new MemoryCounters(),
      { windowSeconds: 60, limits: { anonymous: 2, authenticated: 0, failedAuth: 3, create: 1, lifecycle: 1 } },
      clock,
      log,
    );
    assert.deepEqual(await rl.take('anonymous', 'ip'), { limit: 2, remaining: 1, resetSeconds: 30 });
    assert.equal((await rl.take('anonymous', 'ip'))?.remaining, 0);
    await assert.rejects(
      rl.take('anonymous', 'ip'),
      (e: AppError) => e.code === 'rate_limited' && e.details?.retryAfterSeconds === 30 && !!e.hint,
    );
    assert.equal(await rl.take('authenticated', 'k'), null, '0 turns a limit off');
    await rl.take('anonymous', 'other-ip');
    await clock.advance(30_000);
    assert.equal((await rl.take('anonymous', 'ip'))?.remaining, 1);
  });
  it('names the setting that raises a limit in its 429', async () => {
    const rl = new RateLimiter(
      new MemoryCounters(),
      { windowSeconds: 60, limits: { anonymous: 0, authenticated: 0, failedAuth: 0, create: 1, lifecycle: 0 } },
      new ManualClock(),
      log,
    );
    await rl.take('create', 'org');
    await assert.rejects(
      rl.take('create', 'org'),
      (e: AppError) => /BERTH_RATE_LIMIT_CREATE/.test(e.hint ?? '') && e.details?.setting === 'BERTH_RATE_LIMIT_CREATE',
    );
  });
  it('fails open when its counters are unavailable', async () => {
    const broken = {
      kind: 'memory' as const,
      hit: async () => Promise.reject(new Error('down')),
      namespace: () => {},
      close: async () => {},
    };
    const rl = new RateLimiter(
      broken,
      { windowSeconds: 60, limits: { anonymous: 1, authenticated: 1, failedAuth: 1, create: 1, lifecycle: 1 } },
      new ManualClock(),
      log,
    );
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
    const w = audited(
      svc,
      {
        make: {
          action: 'thing.make',
          target: (_a, r) => ({ type: 'thing', id: r?.id }),
          details: (a) => ({ name: a[1] }),
        },
        fail: { action: 'thing.fail' },
        read: { action: 'thing.read', permission: 'write:sandboxes' },
      },
      audit,
    );
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
    const fake = new Proxy(
      {},
      {
        get:
          (_t, name) =>
          async (...args: unknown[]) => (calls.push(`${String(name)}:${String(args[0])}`), { ok: true }),
      },
    ) as SandboxDaemon;
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

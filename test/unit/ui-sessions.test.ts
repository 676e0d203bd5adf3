// Web UI sessions on a real SQLite store with a manual clock: idle and
// absolute expiry, sign-out, and the one-time sign-in link.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../common/clock.js';
import { openStore, type Store } from '../../orchestrator/store/db.js';
import { SessionService } from '../../orchestrator/sessions/service.js';
import { KeyService } from '../../orchestrator/keys/service.js';
import { bootstrapAdmin } from '../../orchestrator/orgs/bootstrap.js';

describe('web UI sessions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-unit-'));
  const clock = new ManualClock();
  let store: Store;
  let sessions: SessionService;
  let keyId: string;

  before(async () => {
    store = await openStore({ sqlitePath: join(dir, 'berth.sqlite') });
    const keys = new KeyService(store, clock);
    keyId = (await bootstrapAdmin(store, keys, clock)).keyId!;
    sessions = new SessionService(store, clock, { idleMs: 60_000, maxMs: 3_600_000 });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a token to its key, and stores only a hash', async () => {
    const s = await sessions.start(keyId);
    assert.equal(await sessions.resolve(s.token), keyId);
    const rows = await store.knex('ui_sessions').select();
    assert.ok(rows.every((r) => !JSON.stringify(r).includes(s.token)));
    assert.equal(await sessions.resolve(`${s.token}x`), null);
  });

  it('ends after the idle time, and use keeps it alive', async () => {
    const s = await sessions.start(keyId);
    for (let i = 0; i < 5; i++) {
      await clock.advance(50_000);
      assert.equal(await sessions.resolve(s.token), keyId, `use ${i}`);
    }
    await clock.advance(61_000);
    assert.equal(await sessions.resolve(s.token), null);
  });

  it('ends at its maximum age however much it is used', async () => {
    const s = await sessions.start(keyId);
    for (let t = 0; t < 3_600_000 - 50_000; t += 50_000) {
      await clock.advance(50_000);
      assert.equal(await sessions.resolve(s.token), keyId);
    }
    await clock.advance(60_000);
    assert.equal(await sessions.resolve(s.token), null);
  });

  it('ends at sign-out', async () => {
    const s = await sessions.start(keyId);
    await sessions.end(s.token);
    assert.equal(await sessions.resolve(s.token), null);
  });

  it('a sign-in link works once, and not after it expires', async () => {
    const link = await sessions.createLink(keyId, 60_000);
    assert.equal(await sessions.redeemLink(link), keyId);
    assert.equal(await sessions.redeemLink(link), null);
    const late = await sessions.createLink(keyId, 60_000);
    await clock.advance(61_000);
    assert.equal(await sessions.redeemLink(late), null);
  });

  it('prune removes what has ended', async () => {
    await sessions.start(keyId);
    await clock.advance(3_700_000);
    await sessions.prune();
    assert.equal((await store.knex('ui_sessions').count({ n: '*' }))[0]!.n, 0);
  });
});

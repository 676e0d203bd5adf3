// The store's per-connection statement cache must never change what a query
// returns: the same SQL with other bindings, after a migration changed the
// table, and past the cache's bound.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { cachePreparedStatements } from '../../orchestrator/store/statement-cache.js';

describe('prepared statement cache', () => {
  it('prepares each SQL text once and answers each call with its own bindings', () => {
    const db = new Database(':memory:');
    let prepared = 0;
    const real = db.prepare.bind(db);
    db.prepare = ((sql: string) => (prepared++, real(sql))) as typeof db.prepare;
    cachePreparedStatements(db);
    db.prepare('create table t (id integer, name text)').run();
    for (let i = 0; i < 5; i++) db.prepare('insert into t values (?, ?)').run(i, `n${i}`);
    assert.deepEqual(db.prepare('select name from t where id = ?').all(3), [{ name: 'n3' }]);
    assert.deepEqual(db.prepare('select name from t where id = ?').all(4), [{ name: 'n4' }]);
    assert.equal(prepared, 3);
  });

  it('sees a column added after the statement was cached', () => {
    const db = new Database(':memory:');
    cachePreparedStatements(db);
    db.prepare('create table t (id integer)').run();
    db.prepare('insert into t values (1)').run();
    assert.deepEqual(db.prepare('select * from t').all(), [{ id: 1 }]);
    db.prepare("alter table t add column state text default 'new'").run();
    assert.deepEqual(db.prepare('select * from t').all(), [{ id: 1, state: 'new' }]);
  });

  it('stays bounded, dropping the least recently used', () => {
    const db = new Database(':memory:');
    let prepared = 0;
    const real = db.prepare.bind(db);
    db.prepare = ((sql: string) => (prepared++, real(sql))) as typeof db.prepare;
    cachePreparedStatements(db);
    const hot = 'select 0 as n';
    db.prepare(hot).get();
    for (let i = 1; i <= 1500; i++) {
      db.prepare(`select ${i} as n`).get();
      db.prepare(hot).get(); // kept in use: never evicted
    }
    const before = prepared;
    assert.deepEqual(db.prepare(hot).get(), { n: 0 });
    assert.equal(prepared, before, 'the statement in use stayed cached');
    db.prepare('select 1 as n').get();
    assert.equal(prepared, before + 1, 'an old one was evicted and prepared again');
  });
});

// knex asks better-sqlite3 to prepare every statement it runs, every time: a
// parse and plan of the SQL per query (~0.1–0.3 ms on this VM, and a warm
// claim runs ~30 queries). A connection keeps its prepared statements here
// instead, keyed by their SQL. Safe because better-sqlite3 runs a statement
// to completion synchronously (knex uses `all`/`run`, never iterators) and
// SQLite re-prepares a statement whose schema changed (migrations).
import type Database from 'better-sqlite3';

/** Distinct SQL texts kept per connection (queries with `IN (…)` lists make new texts). */
const MAX_STATEMENTS = 1000;

export function cachePreparedStatements(conn: Database.Database): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, Database.Statement>();
  conn.prepare = ((sql: string) => {
    let s = cache.get(sql);
    if (s) {
      // Least recently used goes first: move this one to the end.
      cache.delete(sql);
      cache.set(sql, s);
      return s;
    }
    s = prepare(sql);
    if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    cache.set(sql, s);
    return s;
  }) as Database.Database['prepare'];
}

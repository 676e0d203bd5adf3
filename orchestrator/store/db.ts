// Opens the store: SQLite in BERTH_HOME by default, PostgreSQL with
// DATABASE_URL. Migrations run on open; both databases use the same files.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type Database from 'better-sqlite3';
import { AppError } from '../../common/errors.js';
import { cachePreparedStatements } from './statement-cache.js';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

export interface StoreOptions {
  databaseUrl?: string;
  sqlitePath: string;
}

export function knexConfig(o: StoreOptions): Knex.Config {
  if (o.databaseUrl) {
    // bigint columns hold epoch milliseconds: safe as JS numbers.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    return { client: 'pg', connection: o.databaseUrl, pool: { min: 0, max: 10 } };
  }
  mkdirSync(dirname(o.sqlitePath), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename: o.sqlitePath },
    useNullAsDefault: true,
    pool: {
      afterCreate: (conn: Database.Database, done: (e: Error | null, c: unknown) => void) => {
        cachePreparedStatements(conn);
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  };
}

export interface Store {
  /** For repositories only (lint: a service reaches a table through its repository). */
  knex: Knex;
  kind: 'sqlite' | 'postgres';
  /** Runs `f` in one transaction; a service hands `trx` to the repositories it writes through. */
  transaction<T>(f: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function bindStore(knex: Knex, kind: Store['kind']): Store {
  return {
    knex,
    kind,
    transaction: (f) => knex.transaction(f),
    ping: async () => {
      await knex.raw('select 1');
    },
    close: () => knex.destroy(),
  };
}

export async function openStore(o: StoreOptions): Promise<Store> {
  const knex = knexFactory(knexConfig(o));
  try {
    await knex.migrate.latest({ directory: MIGRATIONS_DIR, loadExtensions: ['.js'] });
  } catch (e) {
    await knex.destroy().catch(() => {});
    const where = o.databaseUrl ? 'PostgreSQL at DATABASE_URL' : `SQLite at ${o.sqlitePath}`;
    throw new AppError('unavailable', `cannot open the store (${where}): ${(e as Error).message}`, {
      hint: o.databaseUrl
        ? 'check that PostgreSQL runs and DATABASE_URL names a database this user may use'
        : 'check that BERTH_HOME is writable',
    });
  }
  return bindStore(knex, o.databaseUrl ? 'postgres' : 'sqlite');
}

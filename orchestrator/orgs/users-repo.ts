// Store access for users.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import { decodeUser, type UserRow } from '../store/rows.js';

export class UserRepo {
  constructor(private readonly store: Store) {}

  async get(id: string): Promise<UserRow | undefined> {
    return decodeUser(await this.store.knex('users').where({ id }).first());
  }

  async byEmail(email: string): Promise<UserRow | undefined> {
    return decodeUser(await this.store.knex('users').where('email', email).first());
  }

  /** The first Berth administrator created (the one first start made). */
  async firstSystemAdmin(): Promise<UserRow | undefined> {
    return decodeUser(await this.store.knex('users').where('system_admin', true).orderBy('created_at').first());
  }

  async insert(row: UserRow, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.store.knex)('users').insert(row);
  }
}

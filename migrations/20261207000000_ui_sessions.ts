// Web UI sessions: a browser trades an API key (or the one-time sign-in link
// `berth up` prints) for an opaque cookie token. Only hashes are stored. A
// session acts as the key it was made from, so revoking the key ends it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ui_sessions', (t) => {
    t.string('id', 64).primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('key_id', 64).notNullable().references('api_keys.id').onDelete('CASCADE');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['key_id']);
  });
  await knex.schema.createTable('ui_sign_in_links', (t) => {
    t.string('token_hash', 64).primary();
    t.string('key_id', 64).notNullable().references('api_keys.id').onDelete('CASCADE');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('ui_sign_in_links');
  await knex.schema.dropTableIfExists('ui_sessions');
}

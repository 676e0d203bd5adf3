// Remote runners (docs/scale-out.md): one row per `berth runner` an admin made
// a token for. The token is stored as a SHA-256 hash. `state` is the admin's
// intent (ready, draining, disabled); `unreachable` is derived from
// last_seen_at. Capacity and usage are what the runner last reported, as JSON
// text. Same conventions as the core tables: epoch-ms bigint times.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('runners', (t) => {
    t.string('id', 64).primary();
    t.string('name', 64).notNullable().unique();
    t.string('token_hash', 64).notNullable().unique();
    t.text('labels').notNullable();
    t.string('state', 16).notNullable();
    t.text('capacity').nullable();
    t.text('usage').nullable();
    t.bigInteger('last_seen_at').nullable();
    t.string('version', 64).nullable();
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('runners');
}

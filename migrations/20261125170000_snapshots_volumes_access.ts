// Snapshots (registered images), volumes, per-sandbox access secrets (preview
// token, file-URL signing key) and signed preview URLs; sandboxes gain their
// volume mounts. Same conventions as the core tables: epoch-ms bigint times,
// JSON as text, organization_id on every row.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshots', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    t.string('name', 512).notNullable();
    t.string('image_name', 512).notNullable();
    t.string('state', 32).notNullable();
    t.text('error_reason').nullable();
    t.boolean('general').notNullable().defaultTo(false);
    t.text('entrypoint').nullable();
    t.float('cpu').nullable();
    t.float('memory').nullable();
    t.float('disk').nullable();
    t.bigInteger('size').nullable();
    t.string('source_sandbox_id', 64).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.unique(['organization_id', 'name']);
  });
  await knex.schema.createTable('volumes', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    t.string('name', 255).notNullable();
    t.string('state', 32).notNullable();
    t.text('error_reason').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.unique(['organization_id', 'name']);
  });
  await knex.schema.createTable('sandbox_access', (t) => {
    t.string('sandbox_id', 64).primary().references('sandboxes.id').onDelete('CASCADE');
    t.string('organization_id', 64).notNullable();
    t.string('preview_token', 64).notNullable();
    t.string('signing_key', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('signed_previews', (t) => {
    t.string('token_hash', 64).primary();
    t.string('sandbox_id', 64).notNullable().references('sandboxes.id').onDelete('CASCADE');
    t.string('organization_id', 64).notNullable();
    t.integer('port').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['sandbox_id']);
  });
  await knex.schema.alterTable('sandboxes', (t) => {
    t.text('volumes').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sandboxes', (t) => {
    t.dropColumn('volumes');
  });
  for (const t of ['signed_previews', 'sandbox_access', 'volumes', 'snapshots']) await knex.schema.dropTableIfExists(t);
}

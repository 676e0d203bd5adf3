// Images and sandbox state: image builds (with their logs), private registries,
// object-store credentials for build contexts, per-sandbox metric history;
// snapshots gain their build and the image config of a committed sandbox;
// sandboxes gain auto-pause and the build they wait for. Same conventions as
// the core tables: epoch-ms bigint times, JSON as text, organization_id on every row.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('builds', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    // sha256 of the Dockerfile and context hashes: a dynamic image with the same hash is reused.
    t.string('hash', 64).notNullable();
    t.string('kind', 16).notNullable();
    t.text('dockerfile').notNullable();
    t.text('context_hashes').nullable();
    t.string('image_ref', 255).notNullable();
    t.string('state', 16).notNullable();
    t.text('error_reason').nullable();
    t.bigInteger('size').nullable();
    t.text('image_config').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.index(['organization_id', 'hash']);
    t.index(['state']);
  });
  await knex.schema.createTable('build_logs', (t) => {
    t.string('build_id', 64).notNullable().references('builds.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.text('chunk').notNullable();
    t.primary(['build_id', 'seq']);
  });
  await knex.schema.alterTable('snapshots', (t) => {
    t.string('build_id', 64).nullable();
    t.text('image_config').nullable();
  });
  await knex.schema.alterTable('sandboxes', (t) => {
    t.integer('auto_pause_interval').notNullable().defaultTo(0);
    t.string('build_id', 64).nullable();
  });
  await knex.schema.createTable('docker_registries', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    t.string('name', 255).notNullable();
    t.string('url', 512).notNullable();
    t.string('username', 255).notNullable();
    // Encrypted with the secrets key; never returned.
    t.text('password').notNullable();
    t.string('project', 255).nullable();
    t.string('registry_type', 32).notNullable();
    t.boolean('is_default').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['organization_id', 'name']);
  });
  await knex.schema.createTable('object_credentials', (t) => {
    t.string('access_key', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('secret').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('sandbox_metrics', (t) => {
    t.string('sandbox_id', 64).notNullable();
    t.string('organization_id', 64).notNullable();
    t.bigInteger('at').notNullable();
    t.float('cpu_pct').notNullable();
    t.float('cpu_limit').notNullable();
    t.bigInteger('memory').notNullable();
    t.bigInteger('memory_cache').notNullable();
    t.bigInteger('memory_limit').notNullable();
    t.bigInteger('disk').nullable();
    t.bigInteger('disk_total').notNullable();
    t.bigInteger('net_rx').notNullable();
    t.bigInteger('net_tx').notNullable();
    t.primary(['sandbox_id', 'at']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sandbox_metrics');
  await knex.schema.dropTable('object_credentials');
  await knex.schema.dropTable('docker_registries');
  await knex.schema.alterTable('sandboxes', (t) => {
    t.dropColumn('auto_pause_interval');
    t.dropColumn('build_id');
  });
  await knex.schema.alterTable('snapshots', (t) => {
    t.dropColumn('build_id');
    t.dropColumn('image_config');
  });
  await knex.schema.dropTable('build_logs');
  await knex.schema.dropTable('builds');
}

// Core tables. Times are epoch milliseconds (bigint) and JSON is text, so the
// same migration and queries behave identically on SQLite and PostgreSQL.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organizations', (t) => {
    t.string('id', 64).primary();
    t.string('name', 200).notNullable();
    t.boolean('personal').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('users', (t) => {
    t.string('id', 64).primary();
    t.string('email', 320).notNullable().unique();
    t.string('name', 200).notNullable();
    t.boolean('system_admin').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('memberships', (t) => {
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    t.string('user_id', 64).notNullable().references('users.id').onDelete('CASCADE');
    t.string('role', 20).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['organization_id', 'user_id']);
  });
  await knex.schema.createTable('api_keys', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    t.string('user_id', 64).notNullable().references('users.id').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('prefix', 16).notNullable().index();
    t.string('key_hash', 64).notNullable().unique();
    t.text('permissions').notNullable();
    t.bigInteger('expires_at').nullable();
    t.bigInteger('last_used_at').nullable();
    t.bigInteger('revoked_at').nullable();
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('sandboxes', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id');
    t.string('name', 128).notNullable();
    t.string('runner_id', 64).notNullable();
    t.string('image', 512).notNullable();
    t.string('snapshot', 512).nullable();
    t.string('os_user', 128).nullable();
    t.text('env').notNullable();
    t.float('cpu').notNullable();
    t.integer('gpu').notNullable().defaultTo(0);
    t.float('memory').notNullable();
    t.float('disk').notNullable();
    t.boolean('public').notNullable().defaultTo(false);
    t.boolean('network_block_all').notNullable().defaultTo(false);
    t.text('network_allow_list').nullable();
    t.string('runtime', 16).notNullable().defaultTo('runc');
    t.string('target', 64).notNullable().defaultTo('local');
    t.string('state', 32).notNullable();
    t.string('desired_state', 32).notNullable();
    t.text('error_reason').nullable();
    t.boolean('recoverable').notNullable().defaultTo(false);
    t.integer('auto_stop_interval').notNullable();
    t.integer('auto_archive_interval').notNullable();
    t.integer('auto_delete_interval').notNullable();
    t.text('image_config').nullable();
    t.text('build_info').nullable();
    t.bigInteger('fence').notNullable().defaultTo(0);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('state_updated_at').notNullable();
    t.bigInteger('last_activity_at').notNullable();
    t.unique(['organization_id', 'name']);
    t.index(['organization_id', 'created_at']);
    t.index(['state']);
  });
  await knex.schema.createTable('sandbox_labels', (t) => {
    t.string('sandbox_id', 64).notNullable().references('sandboxes.id').onDelete('CASCADE');
    t.string('key', 256).notNullable();
    t.text('value').notNullable();
    t.primary(['sandbox_id', 'key']);
    t.index(['key']);
  });
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('organization_id', 64).notNullable();
    t.string('key', 256).notNullable();
    t.string('request_hash', 64).notNullable();
    t.string('sandbox_id', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['organization_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of [
    'idempotency_keys',
    'sandbox_labels',
    'sandboxes',
    'api_keys',
    'memberships',
    'users',
    'organizations',
  ]) {
    await knex.schema.dropTableIfExists(t);
  }
}

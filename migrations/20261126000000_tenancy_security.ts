// Multi-tenancy and security: per-organization settings (quotas, default
// network policy and runtime), invitations, the audit log, encrypted
// organization secrets and per-sandbox usage. Sandboxes gain a domain
// allow-list and the secrets they receive. Same conventions as the core
// tables: epoch-ms bigint times, JSON as text, organization_id on every row.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organization_settings', (t) => {
    t.string('organization_id', 64).primary().references('organizations.id').onDelete('CASCADE');
    // Quotas; null = the server default (BERTH_QUOTA_*).
    t.integer('max_sandboxes').nullable();
    t.float('max_cpu').nullable();
    t.float('max_memory').nullable();
    t.float('max_disk').nullable();
    t.integer('max_snapshots').nullable();
    t.integer('max_volumes').nullable();
    t.integer('max_lifetime_minutes').nullable();
    // Defaults for new sandboxes; null = none.
    t.boolean('default_network_block_all').nullable();
    t.text('default_network_allow_list').nullable();
    t.text('default_domain_allow_list').nullable();
    t.string('default_runtime', 16).nullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('invitations', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    t.string('email', 320).notNullable();
    t.string('role', 20).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('invited_by', 64).notNullable();
    t.string('status', 16).notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['organization_id', 'status']);
    t.index(['email']);
  });
  await knex.schema.createTable('audit_logs', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable();
    t.string('actor_type', 16).notNullable();
    t.string('user_id', 64).nullable();
    t.string('key_id', 64).nullable();
    t.string('actor', 320).nullable();
    t.string('action', 64).notNullable();
    t.string('target_type', 32).nullable();
    t.string('target_id', 512).nullable();
    t.string('outcome', 16).notNullable();
    t.string('error_code', 32).nullable();
    t.string('request_id', 128).nullable();
    t.string('source_ip', 64).nullable();
    t.string('frontend', 16).nullable();
    t.text('details').nullable();
    t.bigInteger('created_at').notNullable();
    t.index(['organization_id', 'created_at']);
    t.index(['created_at']);
  });
  await knex.schema.createTable('secrets', (t) => {
    t.string('id', 64).primary();
    t.string('organization_id', 64).notNullable().references('organizations.id').onDelete('CASCADE');
    t.string('name', 255).notNullable();
    t.text('description').nullable();
    t.text('value_enc').notNullable();
    t.text('hosts').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['organization_id', 'name']);
  });
  // No foreign key to sandboxes: usage outlives the sandbox it was measured on.
  await knex.schema.createTable('sandbox_usage', (t) => {
    t.string('sandbox_id', 64).primary();
    t.string('organization_id', 64).notNullable();
    t.string('sandbox_name', 128).notNullable();
    t.float('cpu').notNullable();
    t.float('memory').notNullable();
    t.float('disk').notNullable();
    t.boolean('running').notNullable().defaultTo(false);
    t.boolean('has_disk').notNullable().defaultTo(false);
    t.double('cpu_minutes').notNullable().defaultTo(0);
    t.double('memory_gib_minutes').notNullable().defaultTo(0);
    t.double('disk_gib_minutes').notNullable().defaultTo(0);
    t.bigInteger('sampled_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('ended_at').nullable();
    t.index(['organization_id', 'created_at']);
  });
  await knex.schema.alterTable('sandboxes', (t) => {
    t.text('domain_allow_list').nullable();
    t.text('secrets').nullable();
  });
  // Keys made by the first start hold every permission, including ones later
  // versions add; mark them (existing installs: the admin's keys named so).
  await knex.schema.alterTable('api_keys', (t) => {
    t.boolean('bootstrap').notNullable().defaultTo(false);
  });
  const admins = knex('users').where('system_admin', true).select('id');
  await knex('api_keys')
    .whereIn('user_id', admins)
    .andWhere((q) => q.where('name', 'admin').orWhere('name', 'like', 'admin-%'))
    .update({ bootstrap: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropColumn('bootstrap');
  });
  await knex.schema.alterTable('sandboxes', (t) => {
    t.dropColumn('secrets');
    t.dropColumn('domain_allow_list');
  });
  for (const t of ['sandbox_usage', 'secrets', 'audit_logs', 'invitations', 'organization_settings'])
    await knex.schema.dropTableIfExists(t);
}

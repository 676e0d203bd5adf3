// A request to a stopped or archived sandbox's preview (or SSH) may start it:
// per sandbox (null = the organization's default) and per organization
// (null = off).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sandboxes', (t) => {
    t.boolean('auto_start_on_request').nullable();
  });
  await knex.schema.alterTable('organization_settings', (t) => {
    t.boolean('default_auto_start_on_request').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organization_settings', (t) => t.dropColumn('default_auto_start_on_request'));
  await knex.schema.alterTable('sandboxes', (t) => t.dropColumn('auto_start_on_request'));
}

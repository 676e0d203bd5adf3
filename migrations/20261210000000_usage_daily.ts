// Usage per UTC day and sandbox (GET /api/usage/daily): every booking of
// sandbox_usage also adds its minutes, split at midnight UTC, to the days they
// fall on. Days are 'YYYY-MM-DD' strings (sortable, the same in both stores).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('usage_daily', (t) => {
    t.string('sandbox_id', 64).notNullable();
    t.string('day', 10).notNullable();
    t.string('organization_id', 64).notNullable();
    t.double('cpu_minutes').notNullable().defaultTo(0);
    t.double('memory_gib_minutes').notNullable().defaultTo(0);
    t.double('disk_gib_minutes').notNullable().defaultTo(0);
    t.primary(['sandbox_id', 'day']);
    t.index(['organization_id', 'day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('usage_daily');
}

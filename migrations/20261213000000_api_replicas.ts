// API replicas that take runner links (docs/scale-out.md, "Replicas and
// links"): each replica keeps its row fresh with a heartbeat; runners link to
// every replica seen within BERTH_RUNNER_TIMEOUT. In the store, not Redis, so
// installations sharing one Redis never see each other's replicas.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_replicas', (t) => {
    t.string('id', 64).primary();
    t.string('url', 2048).notNullable();
    t.bigInteger('seen_at').notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('api_replicas');
}

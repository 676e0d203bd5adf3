// Warm pool: started sandboxes made ahead of time, owned by no organization
// until a create claims one. A member's id is the id its sandbox will have,
// so the container, its run folder, its network holder and its daemon's hello
// never change at claim; the claim is one transaction that deletes the ready
// member row and inserts the sandbox row. Snapshots gain their pool size
// (null = not set: the server default for the default snapshot, else none).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('warm_pool', (t) => {
    t.string('id', 64).primary();
    t.string('runner_id', 64).notNullable();
    /** The class this member serves (warmpool/spec.ts `classKey`). */
    t.string('class_key', 700).notNullable();
    t.string('image', 512).notNullable();
    /** The engine's image id when the member was made: a rebuilt image retires it. */
    t.string('image_id', 128).notNullable();
    /** starting | ready | retiring */
    t.string('state', 16).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['runner_id', 'class_key', 'state']);
  });
  await knex.schema.alterTable('snapshots', (t) => {
    t.integer('warm_pool').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('snapshots', (t) => {
    t.dropColumn('warm_pool');
  });
  await knex.schema.dropTable('warm_pool');
}

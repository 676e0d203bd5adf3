// SSH gateway: short-lived access tokens for one sandbox (Daytona's
// ssh-access: the token is the SSH user name) and people's public keys
// (`ssh <sandbox>@host` with a key registered to the user). Tokens are stored
// as SHA-256 hashes; a revoked token's row is deleted. Same conventions as
// the core tables: epoch-ms bigint times.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ssh_access', (t) => {
    t.string('id', 64).primary();
    t.string('sandbox_id', 64).notNullable().references('sandboxes.id').onDelete('CASCADE');
    t.string('organization_id', 64).notNullable();
    // Who made it: the session acts as this member, and ends when they leave the organization.
    t.string('user_id', 64).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['sandbox_id']);
  });
  await knex.schema.createTable('ssh_keys', (t) => {
    t.string('id', 64).primary();
    t.string('user_id', 64).notNullable().references('users.id').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.string('key_type', 64).notNullable();
    // SHA256:<base64> of the public key blob, as `ssh-keygen -lf` prints it; one user per key.
    t.string('fingerprint', 128).notNullable().unique();
    t.text('public_key').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.unique(['user_id', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('ssh_keys');
  await knex.schema.dropTableIfExists('ssh_access');
}

// Which sandboxes mount which volume, as rows instead of a LIKE over the
// `sandboxes.volumes` JSON text. The JSON column stays the mount spec the
// runner is given (path, subpath; written once when the sandbox is created);
// this table is the relation every query uses. Rows go with their sandbox.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sandbox_volumes', (t) => {
    t.string('sandbox_id', 64).notNullable().references('sandboxes.id').onDelete('CASCADE');
    t.string('volume_id', 64).notNullable();
    t.primary(['sandbox_id', 'volume_id']);
    t.index(['volume_id']);
  });
  // Backfill in JS: the JSON is text on both stores, and parsing it here needs no dialect's JSON functions.
  const rows = (await knex('sandboxes').whereNotNull('volumes').select('id', 'volumes')) as {
    id: string;
    volumes: string | null;
  }[];
  const links: { sandbox_id: string; volume_id: string }[] = [];
  for (const r of rows) {
    let mounts: unknown;
    try {
      mounts = JSON.parse(r.volumes ?? 'null');
    } catch {
      continue;
    }
    if (!Array.isArray(mounts)) continue;
    const ids = new Set<string>();
    for (const m of mounts as { volumeId?: unknown }[]) if (typeof m?.volumeId === 'string') ids.add(m.volumeId);
    for (const id of ids) links.push({ sandbox_id: r.id, volume_id: id });
  }
  for (let i = 0; i < links.length; i += 200) await knex('sandbox_volumes').insert(links.slice(i, i + 200));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sandbox_volumes');
}

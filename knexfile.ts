// For the knex CLI (`npx knex --knexfile dist/knexfile.js migrate:status`).
// Berth itself migrates on start; this reads the same configuration.
import { loadConfig } from './common/config.js';
import { knexConfig, MIGRATIONS_DIR } from './orchestrator/store/db.js';

const config = loadConfig();
export default {
  ...knexConfig({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath }),
  migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.js'] },
};

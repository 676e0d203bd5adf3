// Lint rules, chiefly the layering: requests flow down (edges → orchestrator →
// runner → daemon) and never back up; only runner/runtime/docker.ts talks to
// Docker, and only orchestrator/ touches the database.
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message, ignores = [], paths = []) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((group) => ({ group: [group], message })),
        paths,
      },
    ],
  },
});

// Time is injected (common/clock.ts): what Berth does over time runs on the
// Clock, so tests advance it instead of sleeping. A wait on another system's
// real time (a socket deadline, back-off, polling Docker) is the exception:
// `// eslint-disable-next-line <rule> -- wall clock: <why>` where it happens.
const CLOCK = 'use the injected Clock (common/clock.ts): clock.now(), clock.setTimeout/setInterval/sleep';
const TIMER_IMPORTS = ['timers', 'timers/promises', 'node:timers', 'node:timers/promises'].map((name) => ({
  name,
  message: CLOCK,
}));
const DATE_SELECTOR = { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: CLOCK };
const injectedTime = {
  files: ['orchestrator/**/*.ts', 'runner/**/*.ts'],
  rules: {
    'no-restricted-globals': ['error', { name: 'setTimeout', message: CLOCK }, { name: 'setInterval', message: CLOCK }],
    'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: CLOCK }],
    'no-restricted-syntax': ['error', DATE_SELECTOR],
  },
};

// One data-access style (REVIEW 36): a table is queried only by its repository
// (`repo.ts` or `<table>-repo.ts` next to the service that owns it); services
// call repositories and open transactions with store.transaction(). The rule
// keeps the clock's selector too: a later no-restricted-syntax replaces it.
const repositoriesOnly = {
  files: ['orchestrator/**/*.ts'],
  ignores: ['orchestrator/**/repo.ts', 'orchestrator/**/*-repo.ts', 'orchestrator/store/**'],
  rules: {
    'no-restricted-syntax': [
      'error',
      DATE_SELECTOR,
      {
        selector: "MemberExpression[property.name='knex']",
        message:
          'query a table through its repository (orchestrator/<folder>/repo.ts or <table>-repo.ts); open transactions with store.transaction()',
      },
    ],
  },
};

const upward = (dirs) => dirs.flatMap((d) => [`../${d}/*`, `../../${d}/*`, `../../../${d}/*`, `../../../../${d}/*`]);
const DB = ['knex', 'pg', 'better-sqlite3', 'ioredis'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'daemon/native/**', 'webui/vendor/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  layer(
    ['common/**/*.ts'],
    [...upward(['orchestrator', 'runner', 'daemon', 'http', 'mcp', 'gateways', 'cli', 'boot']), 'dockerode', ...DB],
    'common/ is the bottom layer: it imports nothing of Berth above it',
  ),
  layer(
    ['daemon/**/*.ts'],
    [...upward(['orchestrator', 'runner', 'http', 'mcp', 'gateways', 'cli', 'boot']), 'dockerode', ...DB],
    'the daemon runs inside sandboxes: only common/ and its own code',
  ),
  layer(
    ['runner/**/*.ts'],
    [...upward(['orchestrator', 'http', 'mcp', 'gateways', 'cli', 'boot', 'daemon']), ...DB, 'dockerode'],
    'the runner sits below the orchestrator and reaches the daemon over the wire only; only runner/runtime/docker*.ts import dockerode',
    ['runner/runtime/docker.ts', 'runner/runtime/docker-*.ts'],
    TIMER_IMPORTS,
  ),
  layer(
    ['runner/runtime/docker.ts', 'runner/runtime/docker-*.ts'],
    [...upward(['orchestrator', 'http', 'mcp', 'gateways', 'cli', 'boot', 'daemon']), ...DB],
    'the runner sits below the orchestrator',
    [],
    TIMER_IMPORTS,
  ),
  layer(
    ['orchestrator/**/*.ts'],
    [...upward(['http', 'mcp', 'gateways', 'cli', 'boot', 'daemon']), 'dockerode', 'koa', '@koa/*'],
    'the orchestrator never imports an edge, the daemon or Docker',
    [],
    TIMER_IMPORTS,
  ),
  injectedTime,
  repositoriesOnly,
  layer(
    ['http/**/*.ts', 'mcp/**/*.ts', 'gateways/**/*.ts'],
    [
      ...upward(['runner', 'daemon', 'boot', 'cli']),
      '**/orchestrator/store/*',
      '**/orchestrator/sandboxes/repo*',
      'dockerode',
      ...DB,
    ],
    'edges parse, authorise and call the orchestrator facade; no store, runner or Docker',
  ),
  layer(
    ['cli/**/*.ts'],
    [...upward(['runner', 'daemon', 'http', 'mcp', 'gateways']), '**/orchestrator/*', 'dockerode', ...DB],
    'the CLI talks to a server over HTTP (serve/up boot it through boot/)',
  ),
);

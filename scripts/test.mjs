// `npm test`: installs/starts what the tests need (Docker engine, sandbox
// image, PostgreSQL, Redis), builds, then runs every suite with node --test:
// unit tests, the end-to-end suite on SQLite + in-process bus, and again on
// PostgreSQL + Redis. Fails on lint errors, if any Berth container is left behind,
// or if no test file ran. Suites never skip here: BERTH_TEST_STRICT=1 makes a
// missing precondition (root, iproute2, the npm registry…) fail the suite that
// needs it (test/helpers/strict.ts); BERTH_TEST_STRICT=0 lets them skip locally.
// Options: --only=<substring> to pick test files, --mode=sqlite|postgres,
// --plan to list the files a run would take (from the current build) and stop;
// --unit (npm run test:unit) runs test/unit alone, without Docker or services.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const started = Date.now();
const step = (m) => process.stderr.write(`\x1b[1m==> ${m}\x1b[0m (${Math.round((Date.now() - started) / 1000)} s)\n`);
const sh = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
  return r.status ?? 1;
};

function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      // Only files whose TypeScript source still exists: tsc never deletes stale outputs.
      else if (
        n.endsWith('.test.js') &&
        existsSync(join(root, relative(join(root, 'dist'), p)).replace(/\.js$/, '.ts'))
      )
        out.push(p);
    }
  };
  try {
    walk(join(root, 'dist', dir));
  } catch {
    /* no such suite yet */
  }
  return out.filter((f) => !args.only || relative(root, f).includes(args.only)).sort();
}

const modes = args.mode ? [args.mode] : ['sqlite', 'postgres'];
// Files that measure latency or memory, or load the host on purpose, run alone.
const ALONE = [
  'security/attacks.test',
  'security/fan-out.test',
  'sdk/streaming-memory.test',
  'mcp/http.test',
  'sdk/events.test',
  'webui/flow.test',
  'webui/security.test',
  'gateways/preview-load.test',
];
const alone = (f) => ALONE.some((a) => f.includes(a));
// Files that start a second Docker engine of their own (test/helpers/engine-rig.ts): they load the host
// while they copy an image in, so they run apart from the rest, but side by side with each other.
const RIGS = ['runners/second-engine.test', 'runners/crash-engine.test', 'runners/image-dist.test'];
const rig = (f) => RIGS.some((a) => f.includes(a));
const needsRedis = (f) => /redis/.test(relative(root, f));
// End-to-end files about replicas sharing PostgreSQL and Redis, on a second engine: the postgres run only,
// beside the rig files.
const REPLICAS_ONLY = ['e2e/runner-replicas.test'];
const replicasOnly = (f) => REPLICAS_ONLY.some((a) => f.includes(a));
// The store suites, then the suites that exercise frontends.
const STORE_SUITES = ['test/unit', 'test/e2e'];
const FRONTEND_SUITES = [
  'test/toolbox',
  'test/sdk',
  'test/mcp',
  'test/security',
  'test/cli',
  'test/webui',
  'test/gateways',
  'test/images',
  'test/runners',
];
const SUITES = [...STORE_SUITES, ...FRONTEND_SUITES];

/**
 * Which files run in which step. Fails (with the reason) when a suite folder
 * holds no test file, or when nothing at all would run: a run that tests
 * nothing has not passed.
 */
function plan() {
  if (!args.only) {
    const empty = SUITES.filter((s) => !files(s).length);
    if (empty.length) return { error: `${empty.join(', ')} hold(s) no test files in dist/ (did the build emit them?)` };
  }
  // Suites that exercise frontends rather than the store run once; those that need Redis run with it (--mode=postgres).
  const frontends = FRONTEND_SUITES.flatMap(files).filter((f) => !needsRedis(f));
  const redis = modes.includes('postgres') ? [...files('test/mcp'), ...files('test/security')].filter(needsRedis) : [];
  const p = {
    unit: files('test/unit'),
    e2e: files('test/e2e').filter((f) => !replicasOnly(f)),
    e2eReplicas: modes.includes('postgres') ? files('test/e2e').filter(replicasOnly) : [],
    frontends: frontends.filter((f) => !alone(f) && !rig(f)),
    measuring: frontends.filter(alone),
    rigs: frontends.filter(rig),
    redis,
  };
  const count =
    p.unit.length +
    p.e2e.length * modes.length +
    p.e2eReplicas.length +
    p.frontends.length +
    p.measuring.length +
    p.rigs.length +
    p.redis.length;
  const only = args.only
    ? ` (--only=${args.only} matches none${modes.includes('postgres') ? '' : ' in --mode=sqlite'})`
    : '';
  if (!count) return { error: `no test file would run${only}` };
  return { ...p, count };
}

/**
 * Runs test files with node --test. `concurrency` files at a time; `quiet`
 * holds the output back until the run ends, so runs side by side do not
 * interleave their reports.
 */
const runTests = (label, list, { env = {}, concurrency = 1, quiet = false } = {}) =>
  new Promise((resolve) => {
    if (!list.length) return resolve(0);
    step(
      `${label}: ${list.length} file(s)${concurrency > 1 ? `, ${concurrency} at a time` : ''}${quiet ? ' (report when done)' : ''}`,
    );
    const argv = [
      '--enable-source-maps',
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-timeout=600000',
      '--test-reporter=tap',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'scripts/test-times-reporter.mjs')}`,
      '--test-reporter-destination=stderr',
      ...list,
    ];
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    const held = [];
    child.stdout?.on('data', (c) => held.push(c));
    child.stderr?.on('data', (c) => held.push(c));
    child.on('close', (code) => {
      if (quiet) {
        step(`${label}: report`);
        process.stdout.write(Buffer.concat(held));
      }
      resolve(code === 0 ? 0 : 1);
    });
  });

// --plan: which files would run (from the current build), nothing else.
if ('plan' in args) {
  const p = plan();
  if (p.error) {
    process.stderr.write(`FAIL: ${p.error}\n`);
    process.exit(1);
  }
  for (const k of ['unit', 'e2e', 'e2eReplicas', 'frontends', 'measuring', 'rigs', 'redis']) {
    for (const f of p[k]) process.stdout.write(`${k}\t${relative(root, f)}\n`);
  }
  process.exit(0);
}

// --unit (`npm run test:unit`): the unit tests alone, compiled with tsc, with no
// Docker engine, setup or services. Sandboxes there run on the in-memory engine
// (runner/runtime/memory.ts); the Docker socket points nowhere, so a test that
// reaches Docker fails instead of passing on this host only.
if ('unit' in args) {
  step('compiling');
  if (sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']) !== 0)
    process.exit(1);
  const list = files('test/unit');
  if (!list.length) {
    process.stderr.write('FAIL: no unit test file would run\n');
    process.exit(1);
  }
  const env = {
    BERTH_TEST_STRICT: process.env.BERTH_TEST_STRICT || '1',
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    BERTH_DOCKER_SOCKET: '/nonexistent/docker.sock',
  };
  const failed = await runTests('unit tests', list, { env });
  step(failed ? 'FAILED' : 'unit tests passed');
  process.exit(failed ? 1 : 0);
}

step('building');
if (sh('npm', ['run', '--silent', 'build']) !== 0) process.exit(1);

// Style and layering rules (DESIGN §7: no layer imports upward) and formatting are part of passing.
step('linting');
if (sh(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '.']) !== 0) process.exit(1);
if (
  sh(process.execPath, [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level=warn', '.']) !== 0
) {
  process.stderr.write('formatting differs from Prettier: run `npx prettier --write .` and commit the result\n');
  process.exit(1);
}

const planned = plan();
if (planned.error) {
  process.stderr.write(`FAIL: ${planned.error}\n`);
  process.exit(1);
}

step('checking the Docker engine and the sandbox image');
if (sh('node', ['bin/berth.js', 'setup']) !== 0) process.exit(1);
if (sh('bash', ['scripts/build-test-images.sh']) !== 0) process.exit(1);
// The web UI's browser tests drive Debian's Chromium.
if (sh('bash', ['scripts/install-chromium.sh']) !== 0) process.exit(1);
// The real OpenSSH client (and rsync) for the SSH gateway's tests.
if (sh('bash', ['scripts/install-ssh-client.sh']) !== 0) process.exit(1);
// A private registry with authentication (test/images pulls from it).
if (sh('bash', ['scripts/test-registry.sh']) !== 0) process.exit(1);

// One daemon folder for every server and runner of this run (each would copy Node and build a code cache).
const runtimeDir = mkdtempSync(join(tmpdir(), 'berth-test-runtime-'));
process.env.BERTH_RUNTIME_DIR = runtimeDir;

// This run's prefix of test runner ids: the left-behind check below sees only this run's containers.
process.env.BERTH_TEST_RUN = `test-${randomBytes(3).toString('hex')}`;
// Suites never skip here (CI runs this as root with CI unset, so neither can tell them).
process.env.BERTH_TEST_STRICT = process.env.BERTH_TEST_STRICT || '1';

let serviceEnv = {};
if (modes.includes('postgres')) {
  step('starting PostgreSQL and Redis');
  const out = execFileSync('bash', ['scripts/test-services.sh'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  serviceEnv = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
}

step(`${planned.count} test file run(s) planned`);
let failed = await runTests('unit tests', planned.unit);
// The end-to-end suite on both stores side by side (each with its own runner id and containers).
const e2e = modes.map((mode) =>
  runTests(`end-to-end (${mode})`, planned.e2e, {
    env: mode === 'postgres' ? serviceEnv : {},
    quiet: modes.length > 1,
  }),
);
for (const r of await Promise.all(e2e)) failed += r;
failed += await runTests('frontends (sqlite)', planned.frontends, { concurrency: 2 });
failed += await runTests('frontends that measure (sqlite)', planned.measuring);
// Beside them, the runner linked to two replicas (PostgreSQL + Redis), on a rig of its own.
for (const r of await Promise.all([
  runTests('on second Docker engines (sqlite)', planned.rigs, { concurrency: planned.rigs.length }),
  runTests('a runner and two replicas (postgres)', planned.e2eReplicas, { env: serviceEnv, quiet: true }),
]))
  failed += r;
// MCP sessions, revocation, rate limits and quotas across two replicas sharing PostgreSQL and Redis.
failed += await runTests('replicas (redis)', planned.redis, { env: serviceEnv });
if (!modes.includes('postgres')) step('suites that need Redis run with --mode=postgres only');

// Id, name, runner and state of each, in one call: enough to find the test that made it.
const leftTest = execFileSync(
  'docker',
  [
    'ps',
    '-a',
    '--filter',
    'label=berth.managed=true',
    '--filter',
    'label=berth.runner',
    '--format',
    '{{.ID}} {{.Names}} {{.Label "berth.runner"}} {{.State}} created {{.CreatedAt}}',
  ],
  { encoding: 'utf8' },
)
  .split('\n')
  .filter((l) => l.split(' ')[2]?.startsWith(`${process.env.BERTH_TEST_RUN}-`));
if (leftTest.length) {
  process.stderr.write(
    `FAIL: ${leftTest.length} Berth test container(s) left behind:\n${leftTest.map((l) => `  ${l}\n`).join('')}`,
  );
  execFileSync('docker', ['rm', '-f', ...leftTest.map((l) => l.split(' ')[0])]);
  failed++;
}
rmSync(runtimeDir, { recursive: true, force: true });
step(failed ? `FAILED (${failed} suite(s) with failures)` : 'all suites passed');
process.exit(failed ? 1 : 0);

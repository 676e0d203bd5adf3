// `npm run bench`: builds, then runs every compiled benchmark (dist/bench/*.js)
// one after the other; each prints its own numbers and ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv
  .slice(2)
  .find((a) => a.startsWith('--only='))
  ?.slice(7);
if (spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
let dir = [];
try {
  dir = readdirSync(join(root, 'dist/bench'))
    .filter(
      (f) =>
        f.endsWith('.js') && existsSync(join(root, 'bench', f.replace(/\.js$/, '.ts'))) && (!only || f.includes(only)),
    )
    .sort();
} catch {
  /* no benchmarks built */
}
let failed = 0;
for (const f of dir) {
  process.stderr.write(`\x1b[1m==> ${f}\x1b[0m\n`);
  const r = spawnSync(process.execPath, ['--enable-source-maps', join(root, 'dist/bench', f)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

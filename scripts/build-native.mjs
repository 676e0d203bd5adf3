// Builds the daemon's waitpid addon (daemon/native). npm links `file:`
// dependencies without running their install scripts, so a fresh clone would
// otherwise ship a daemon that cannot reap orphans as PID 1. Uses the node-gyp
// that npm itself bundles; skips the build when the output is newer than the source.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = join(root, 'daemon/native');
const out = join(dir, 'build/Release/berth_native.node');
const sources = ['reap.c', 'binding.gyp'].map((f) => join(dir, f));
if (existsSync(out) && sources.every((s) => statSync(s).mtimeMs <= statSync(out).mtimeMs)) process.exit(0);

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout?.trim();
  const bundled = npmRoot && join(npmRoot, 'npm/node_modules/node-gyp/bin/node-gyp.js');
  if (bundled && existsSync(bundled)) return bundled;
  return null;
}

const gyp = nodeGyp();
if (!gyp) {
  console.error('build-native: node-gyp not found (it ships with npm); install build-essential and python3, then run `npm rebuild`');
  process.exit(1);
}
// Offline machines carry Node's headers (npm's `nodedir`, e.g. /usr); node-gyp would otherwise download them.
const npmNodedir = process.env.npm_config_nodedir || spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim();
const nodedir = npmNodedir && npmNodedir !== 'undefined' && npmNodedir !== 'null' ? npmNodedir : existsSync('/usr/include/node/node.h') ? '/usr' : null;
const r = spawnSync(process.execPath, [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { cwd: dir, encoding: 'utf8' });
if (r.status !== 0) {
  process.stderr.write(r.stderr ?? '');
  console.error('build-native: compiling daemon/native failed; the daemon needs it to reap orphaned processes (needs build-essential and python3)');
  process.exit(1);
}

// Builds what the daemon needs natively (daemon/native): the waitpid addon
// and the static network-namespace holder. npm links `file:` dependencies
// without running their install scripts, so a fresh clone would otherwise
// ship a daemon that cannot reap orphans as PID 1. Uses the node-gyp that npm
// itself bundles; skips what is newer than its source.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = join(root, 'daemon/native');
const fresh = (output, inputs) =>
  existsSync(output) && inputs.every((f) => statSync(join(dir, f)).mtimeMs <= statSync(output).mtimeMs);

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp))
    return process.env.npm_config_node_gyp;
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout?.trim();
  const bundled = npmRoot && join(npmRoot, 'npm/node_modules/node-gyp/bin/node-gyp.js');
  if (bundled && existsSync(bundled)) return bundled;
  return null;
}

const addon = join(dir, 'build/Release/berth_native.node');
if (!fresh(addon, ['addon.c', 'spawn.c', 'wait.c', 'binding.gyp'])) {
  const gyp = nodeGyp();
  if (!gyp) {
    console.error(
      'build-native: node-gyp not found (it ships with npm); install build-essential and python3, then run `npm rebuild`',
    );
    process.exit(1);
  }
  // Offline machines carry Node's headers (npm's `nodedir`, e.g. /usr); node-gyp would otherwise download them.
  const npmNodedir =
    process.env.npm_config_nodedir ||
    spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim();
  const nodedir =
    npmNodedir && npmNodedir !== 'undefined' && npmNodedir !== 'null'
      ? npmNodedir
      : existsSync('/usr/include/node/node.h')
        ? '/usr'
        : null;
  const r = spawnSync(process.execPath, [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(r.stderr ?? '');
    console.error(
      'build-native: compiling daemon/native failed; the daemon needs it to reap orphaned processes (needs build-essential and python3)',
    );
    process.exit(1);
  }
}

// After node-gyp (its rebuild empties build/). Static, so it runs in an image that holds nothing else.
const pause = join(dir, 'build/pause');
if (!fresh(pause, ['pause.c'])) {
  const cc = spawnSync('cc', ['-static', '-Os', '-s', '-o', pause, join(dir, 'pause.c')], { encoding: 'utf8' });
  // Optional: without it sandboxes start without pre-made network namespaces (slower, same result).
  if (cc.status !== 0)
    console.error(
      `build-native: could not build the network-namespace holder (needs a C compiler and static libc): ${cc.stderr || cc.error?.message}`,
    );
}

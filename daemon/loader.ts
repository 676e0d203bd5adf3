// The sandbox's entrypoint, /.berth/bin/daemon.js. Compiling the daemon is a
// large part of its start (the bundle is ~1 MB, most of it zod), and every
// sandbox would do it again. The runner has the same Node binary write V8's
// code cache once per bundle (--write-code-cache); here the bundle is
// compiled with it. A cache V8 rejects (other Node, other flags) or a missing
// one only costs the time it would have saved.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { DAEMON_FILES } from '../common/wire/daemon-files.js';
import type { DaemonBoot } from './main.js';

type MainModule = { exports: { main?: (boot: DaemonBoot) => void } };

function load(dir: string, cachedData: Buffer | undefined): { script: Script; mod: MainModule } {
  const file = join(dir, DAEMON_FILES.main);
  // The wrapper Node puts around a CommonJS module, kept on the first line so line numbers hold.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod: MainModule = { exports: {} };
  (script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, createRequire(file), mod, file, dir);
  return { script, mod };
}

const dir = dirname(process.argv[1] ?? '/.berth/bin/daemon.js');
if (process.argv[2] === '--write-code-cache') {
  // Running the bundle's top level (not main) compiles what every start compiles.
  writeFileSync(process.argv[3]!, load(dir, undefined).script.createCachedData());
} else {
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(join(dir, DAEMON_FILES.codeCache));
  } catch {
    /* none: compile from source */
  }
  const { script, mod } = load(dir, cache);
  mod.exports.main!({
    bundleDir: dir,
    codeCache: !cache ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted',
  });
}

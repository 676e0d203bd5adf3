// Prepares the read-only folder every sandbox mounts at /.berth/bin: the
// bundled daemon, this host's Node binary, the shared libraries it links and
// the dynamic loader, so the daemon runs in any image, even one without libc.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  readdirSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { AppError } from '../common/errors.js';
import { SANDBOX_PATHS } from '../common/wire/daemon.js';
import { DAEMON_FILES } from '../common/wire/daemon-files.js';
import { daemonExtras } from './daemon-extras.js';

export interface DaemonBundle {
  dir: string;
  /** Entrypoint of every sandbox container. */
  entrypoint: string[];
}

function sharedLibraries(binary: string): { libs: string[]; loader: string } {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  } catch (e) {
    throw new AppError('unavailable', `cannot list the libraries of ${binary}: ${(e as Error).message}`, {
      hint: 'install libc-bin (ldd)',
    });
  }
  const libs: string[] = [];
  let loader = '';
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (!m) continue;
    if (/ld-linux|ld64/.test(m[1]!)) loader = m[1]!;
    else libs.push(m[1]!);
  }
  if (!loader)
    throw new AppError('unavailable', `no dynamic loader found for ${binary}`, {
      hint: 'a statically linked Node is not supported yet',
    });
  return { libs, loader };
}

/**
 * Builds (once per content hash) under `root` and returns the folder to mount. `prune`: removes all but
 * the last few older builds (not when `root` is shared with servers of other versions, which may mount them).
 */
export function prepareDaemonBundle(
  root: string,
  daemonJs: string,
  o: { prune: boolean; nodeBinary?: string },
): DaemonBundle {
  const nodeBinary = o.nodeBinary ?? process.execPath;
  if (!existsSync(daemonJs)) {
    throw new AppError('unavailable', `daemon bundle ${daemonJs} is missing`, { hint: 'run `npm run build`' });
  }
  const req = createRequire(import.meta.url);
  let native: string | null = null;
  try {
    native = req.resolve('@berth/daemon-native/build/Release/berth_native.node');
  } catch {
    native = null; // the daemon then runs without reaping orphans (logged by health)
  }
  const { libs, loader } = sharedLibraries(nodeBinary);
  // node-pty and the language servers ride along; their native addons may link more libraries.
  const extras = daemonExtras();
  for (const addon of extras.natives)
    for (const lib of sharedLibraries(addon).libs) if (!libs.some((l) => basename(l) === basename(lib))) libs.push(lib);
  // Helper scripts built next to daemon.js (e.g. the language servers' preload).
  const helpers = readdirSync(dirname(daemonJs))
    .filter((n) => n.endsWith('.cjs'))
    .map((n) => join(dirname(daemonJs), n));
  const h = createHash('sha256');
  for (const f of [daemonJs, nodeBinary, ...(native ? [native] : []), ...helpers]) {
    const st = statSync(f);
    h.update(`${f}:${st.size}:${st.mtimeMs}\n`);
  }
  h.update(extras.fingerprint);
  h.update(readFileSync(daemonJs));
  const hash = h.digest('hex').slice(0, 16);
  const dir = join(root, `daemon-${hash}`);
  const loaderName = basename(loader);
  if (!existsSync(join(dir, '.complete'))) {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'lib'), { recursive: true });
    copyFileSync(nodeBinary, join(tmp, 'node'));
    copyFileSync(loader, join(tmp, loaderName));
    for (const lib of libs) copyFileSync(lib, join(tmp, 'lib', basename(lib)));
    copyFileSync(daemonJs, join(tmp, DAEMON_FILES.entry));
    // daemon.js is CommonJS wherever the folder lives (a BERTH_HOME under a "type": "module" package included).
    writeFileSync(join(tmp, 'package.json'), '{ "type": "commonjs" }\n');
    if (native) copyFileSync(native, join(tmp, 'berth_native.node'));
    for (const f of helpers) copyFileSync(f, join(tmp, basename(f)));
    for (const f of extras.files) {
      mkdirSync(dirname(join(tmp, f.to)), { recursive: true });
      copyFileSync(f.from, join(tmp, f.to));
    }
    writeCodeCache(nodeBinary, tmp);
    writeFileSync(join(tmp, '.complete'), hash + '\n');
    chmodRecursive(tmp);
    try {
      renameSync(tmp, dir);
    } catch {
      // Another server sharing `root` finished the same build first (keep its folder: sandboxes may mount it),
      // or a build cut short is in the way.
      if (existsSync(join(dir, '.complete'))) rmSync(tmp, { recursive: true, force: true });
      else {
        rmSync(dir, { recursive: true, force: true });
        renameSync(tmp, dir);
      }
    }
    if (o.prune) {
      // Older bundles are unused once no container mounts them; keep the last few.
      const old = readdirSync(root).filter(
        (n) => n.startsWith('daemon-') && n !== basename(dir) && !n.includes('.tmp-'),
      );
      for (const n of old.slice(0, Math.max(0, old.length - 3)))
        rmSync(join(root, n), { recursive: true, force: true });
    }
  }
  mkdirSync(dirname(dir), { recursive: true });
  const b = SANDBOX_PATHS.bin;
  return {
    dir,
    entrypoint: [`${b}/${loaderName}`, '--library-path', `${b}/lib`, `${b}/node`, `${b}/${DAEMON_FILES.entry}`],
  };
}

/**
 * Has the very Node binary the sandboxes run compile the daemon once and save
 * V8's code cache beside it (daemon/loader.ts), which every sandbox's daemon
 * then starts from. Without NODE_OPTIONS: V8 only takes a cache made under
 * the same flags. Optional: without it the daemon compiles from source.
 */
function writeCodeCache(nodeBinary: string, dir: string): void {
  if (!existsSync(join(dir, DAEMON_FILES.main))) return;
  try {
    execFileSync(nodeBinary, [join(dir, DAEMON_FILES.entry), '--write-code-cache', join(dir, DAEMON_FILES.codeCache)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: 'ignore',
      timeout: 60_000,
    });
  } catch {
    rmSync(join(dir, DAEMON_FILES.codeCache), { force: true });
  }
}

function chmodRecursive(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chmodRecursive(p);
    else chmodSync(p, e.name === 'node' || e.name.startsWith('ld-') ? 0o555 : 0o444);
  }
}

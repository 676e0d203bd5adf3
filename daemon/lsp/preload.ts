// Preloaded (`--require`) into language servers the daemon runs on the
// injected Node. That Node runs through the folder's own dynamic loader, so
// `process.execPath` is the loader, and a plain `child_process.fork` (how
// typescript-language-server starts tsserver) would hand a script to the
// loader. This makes fork go through the loader the same way, without ever
// putting LD_LIBRARY_PATH in an environment. Built as lsp-preload.cjs.
import childProcess from 'node:child_process';
import { basename, dirname, join } from 'node:path';

function install(): void {
  const exe = process.execPath;
  if (!basename(exe).startsWith('ld-')) return; // a normal Node: nothing to fix
  const dir = dirname(exe);
  const prefix = ['--library-path', join(dir, 'lib'), join(dir, 'node'), '--require', __filename];
  const original = childProcess.fork;
  const patched = function (this: unknown, modulePath: string, a?: unknown, b?: unknown) {
    const args = Array.isArray(a) ? (a as string[]) : [];
    const options = { ...((Array.isArray(a) ? b : a) as childProcess.ForkOptions | undefined) };
    if (!options.execPath || options.execPath === exe) {
      const inherited = (options.execArgv ?? process.execArgv).filter(
        (x, i, all) =>
          !(x === '--require' && all[i + 1] === __filename) && !(x === __filename && all[i - 1] === '--require'),
      );
      options.execPath = exe;
      options.execArgv = [...prefix, ...inherited];
    }
    return original.call(this, modulePath, args, options);
  };
  childProcess.fork = patched as typeof childProcess.fork;
}

install();

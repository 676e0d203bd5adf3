// Modules the daemon loads at run time from its folder (/.berth/bin), where
// the runner copies what esbuild leaves out (the native addon, node-pty,
// sucrase); from a checkout they are ordinary packages.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DAEMON_FILES } from '../common/wire/daemon-files.js';

/** The copy beside the bundle, else the package; throws with why each failed. */
export function requireFromBundle<T>(bundleDir: string, inBundle: string, pkg: string): T {
  const req = createRequire(join(bundleDir, DAEMON_FILES.entry));
  const errors: string[] = [];
  for (const id of [join(bundleDir, inBundle), pkg]) {
    try {
      return req(id) as T;
    } catch (e) {
      errors.push((e as Error).message.split('\n')[0] ?? String(e));
    }
  }
  throw new Error(errors.join('; '));
}

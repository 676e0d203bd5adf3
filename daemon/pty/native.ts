// Loads node-pty from the daemon folder (the runner copies it next to
// daemon.js; esbuild leaves it out). Loaded on first use only, so a daemon
// that never opens a terminal starts exactly as fast as before.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as NodePty from 'node-pty';
import { AppError } from '../../common/errors.js';

export type PtyModule = typeof NodePty;

export function ptyLoader(bundleDir: string): () => PtyModule {
  let mod: PtyModule | null = null;
  let failure: string | null = null;
  return () => {
    if (mod) return mod;
    if (failure === null) {
      const req = createRequire(join(bundleDir, 'daemon.js'));
      const errors: string[] = [];
      // The bundled copy first; a plain node_modules lookup when running from a checkout.
      for (const id of [join(bundleDir, 'node-pty'), 'node-pty']) {
        try {
          mod = req(id) as PtyModule;
          return mod;
        } catch (e) {
          errors.push((e as Error).message.split('\n')[0] ?? String(e));
        }
      }
      failure = errors.join('; ');
    }
    throw new AppError('unavailable', `terminals are unavailable in this sandbox: node-pty did not load (${failure})`, {
      reason: 'PTY_UNAVAILABLE',
      hint: 'the daemon bundle is incomplete; rebuild Berth (`npm run build`) and restart the sandbox',
    });
  };
}

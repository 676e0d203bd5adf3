// Loads node-pty from the daemon folder (the runner copies it next to
// daemon.js; esbuild leaves it out). Loaded on first use only, so a daemon
// that never opens a terminal starts exactly as fast as before.
import type * as NodePty from 'node-pty';
import { AppError } from '../../common/errors.js';
import { requireFromBundle } from '../bundle-require.js';

export type PtyModule = typeof NodePty;

export function ptyLoader(bundleDir: string): () => PtyModule {
  let mod: PtyModule | null = null;
  let failure: string | null = null;
  return () => {
    if (mod) return mod;
    if (failure === null) {
      try {
        mod = requireFromBundle<PtyModule>(bundleDir, 'node-pty', 'node-pty');
        return mod;
      } catch (e) {
        failure = (e as Error).message;
      }
    }
    throw new AppError('unavailable', `terminals are unavailable in this sandbox: node-pty did not load (${failure})`, {
      reason: 'PTY_UNAVAILABLE',
      hint: 'the daemon bundle is incomplete; rebuild Berth (`npm run build`) and restart the sandbox',
    });
  };
}

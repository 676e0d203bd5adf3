// Bundles the in-sandbox daemon into one CommonJS file. The runner copies it,
// with the host's Node binary and libraries, into the read-only folder every
// sandbox mounts (see runner/daemon-bundle.ts).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
await build({
  entryPoints: [join(root, 'daemon/main.ts')],
  outfile: join(root, 'dist/daemon-bundle/daemon.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  // Native addons (and node-pty, whole) are copied next to daemon.js and loaded at run time.
  external: ['@berth/daemon-native', '*.node', 'node-pty'],
  logLevel: 'warning',
});
// Preloaded into language servers so their child processes start through the folder's loader.
await build({
  entryPoints: [join(root, 'daemon/lsp/preload.ts')],
  outfile: join(root, 'dist/daemon-bundle/lsp-preload.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
});

// Bundles the in-sandbox daemon. The runner copies the output, with the host's
// Node binary and libraries, into the read-only folder every sandbox mounts
// (see runner/daemon-bundle.ts):
//   daemon.js        the loader, the container's entrypoint (daemon/loader.ts)
//   daemon-main.cjs  the daemon itself, compiled by the loader with V8's code cache
//   sucrase.cjs      TypeScript/ESM conversion for code-run, loaded on first use
//   jsonrpc.cjs      vscode-jsonrpc for the language servers, loaded when the first starts
//   lsp-preload.cjs  preloaded into language servers
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = (name) => join(root, 'dist/daemon-bundle', name);
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [join(root, 'daemon/main.ts')],
  outfile: out('daemon-main.cjs'),
  // Native addons (and node-pty, whole) are copied next to the bundle and loaded at run time;
  // sucrase, half the daemon's code and needed by code-run only, is a file of its own (below).
  external: ['@berth/daemon-native', '*.node', 'node-pty', 'sucrase', 'vscode-jsonrpc', 'vscode-jsonrpc/*'],
});
await build({ ...common, entryPoints: [join(root, 'daemon/loader.ts')], outfile: out('daemon.js') });
await build({
  ...common,
  stdin: { contents: "module.exports = require('sucrase');", resolveDir: root },
  outfile: out('sucrase.cjs'),
});
// The language servers' JSON-RPC (daemon/lsp/jsonrpc.ts), loaded when the first one starts.
await build({
  ...common,
  stdin: { contents: "module.exports = require('vscode-jsonrpc/node');", resolveDir: root },
  outfile: out('jsonrpc.cjs'),
});
// Preloaded into language servers so their child processes start through the folder's loader.
await build({ ...common, entryPoints: [join(root, 'daemon/lsp/preload.ts')], outfile: out('lsp-preload.cjs') });

// Builds the web UI into dist/webui: webui/app.js (Preact + htm, plain ES
// modules) and webui/style.css bundled and minified by esbuild, with content
// hashes in their names (served with a year-long cache) and precompressed
// (.br, .gz); the terminal (xterm) is a chunk of its own, loaded when a
// terminal opens. index.html gets the hashed names. No CDN: every byte is here.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist/webui');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const r = await build({
  entryPoints: [join(root, 'webui/app.js'), join(root, 'webui/style.css')],
  outdir: join(out, 'assets'),
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  target: ['chrome110', 'firefox110', 'safari16'],
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.svg': 'file' },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(r.metafile.outputs);
const entry = (src) => basename(outputs.find(([, o]) => o.entryPoint && o.entryPoint.endsWith(src))[0]);
const icon = readFileSync(join(root, 'webui/icon.svg'));
const iconName = `icon-${createHash('sha256').update(icon).digest('hex').slice(0, 8)}.svg`;
writeFileSync(join(out, 'assets', iconName), icon);

// Chunks the entry imports statically are announced up front, so they load beside it rather than after it.
const app = outputs.find(([, o]) => o.entryPoint?.endsWith('webui/app.js'))[1];
const preloads = app.imports
  .filter((i) => i.kind === 'import-statement')
  .map((i) => `<link rel="modulepreload" href="/assets/${basename(i.path)}" />`);
const html = readFileSync(join(root, 'webui/index.html'), 'utf8')
  .replace(
    '<script type="module" src="/app.js"></script>',
    `${preloads.join('\n    ')}\n    <script type="module" src="/app.js"></script>`,
  )
  .replace('/app.js', `/assets/${entry('webui/app.js')}`)
  .replace('/style.css', `/assets/${entry('webui/style.css')}`)
  .replace('/icon.svg', `/assets/${iconName}`);
writeFileSync(join(out, 'index.html'), html);

/** Everything the UI can ever load, brotli-compressed (terminal included): the budget docs/webui.md gives. */
const BUDGET = 200 * 1024;
let first = 0;
let all = 0;
for (const [file] of outputs) {
  const path = join(root, file);
  const body = readFileSync(path);
  const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
  all += br.length;
  if (!file.includes('chunk-') || isStatic(file)) first += br.length;
}
// Chunks the entry imports statically load with it; the terminal chunk waits for a terminal.
function isStatic(file) {
  return app.imports.some((i) => i.kind === 'import-statement' && join(root, i.path) === join(root, file));
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
process.stderr.write(
  `web UI built: ${relative(root, out)} (first load ${kb(first)}, everything ${kb(all)} compressed)\n`,
);
if (all > BUDGET) {
  process.stderr.write(
    `web UI over its budget: ${kb(all)} compressed, at most ${kb(BUDGET)}; load the new part lazily or trim it\n`,
  );
  process.exit(1);
}

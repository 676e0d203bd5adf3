// Makes `npx berth` run this checkout's CLI. The package deliberately has no
// "bin" field: with one, npm 11 re-installs the checkout into its npx cache
// (running `prepare` again) on first use. A link in node_modules/.bin is what
// npx looks for before that. Idempotent.
import { mkdirSync, symlinkSync, readlinkSync, rmSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'berth');
const target = '../../bin/berth.js';
mkdirSync(binDir, { recursive: true });
let current = null;
try {
  current = readlinkSync(link);
} catch {
  /* absent */
}
if (current !== target) {
  rmSync(link, { force: true });
  symlinkSync(target, link);
}
chmodSync(join(root, 'bin', 'berth.js'), 0o755);

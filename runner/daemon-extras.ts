// What the daemon folder carries besides daemon.js and Node: node-pty for
// terminals, and the language servers (pyright, typescript-language-server
// with TypeScript), so LSP works in sandboxes with no registry access. Only
// the files these need at run time are copied (no source maps, tests,
// translations, compilers or third-party stub packs).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

export interface ExtraFile {
  from: string;
  /** Path relative to the bundle folder. */
  to: string;
}

export interface DaemonExtras {
  files: ExtraFile[];
  /** Native addons whose shared libraries must be in the folder's lib/. */
  natives: string[];
  /** Changes when any copied package changes (part of the bundle hash). */
  fingerprint: string;
  /** Packages that were not found (the daemon then reports the feature unavailable). */
  missing: string[];
}

function packageDir(name: string): string | null {
  const req = createRequire(import.meta.url);
  for (const base of req.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return null;
}

function walk(
  dir: string,
  keep: (rel: string) => boolean,
  descend: (rel: string) => boolean,
  root = dir,
  out: string[] = [],
): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const rel = relative(root, p);
    if (e.isDirectory()) {
      if (descend(rel)) walk(p, keep, descend, root, out);
    } else if (e.isFile() && keep(rel)) out.push(p);
  }
  return out;
}

interface PackageSpec {
  name: string;
  /** Folder inside the bundle. */
  into: string;
  keep: (rel: string) => boolean;
  /** Folders worth looking into (the big ones we never ship are not even listed). */
  descend: (rel: string) => boolean;
  natives?: string[];
}

const noMaps = (rel: string) => !rel.endsWith('.map');

const PACKAGES: PackageSpec[] = [
  {
    name: 'node-pty',
    into: 'node-pty',
    keep: (rel) =>
      rel === 'package.json' ||
      rel === 'build/Release/pty.node' ||
      (rel.startsWith('lib/') && rel.endsWith('.js') && !rel.endsWith('.test.js')),
    descend: (rel) => rel === 'build' || rel === 'build/Release' || rel === 'lib' || rel.startsWith('lib/'),
    natives: ['build/Release/pty.node'],
  },
  {
    name: 'pyright',
    into: 'lsp/pyright',
    // Third-party stubs (27 MB) are left out: installed packages mostly ship their own types.
    keep: (rel) => rel === 'package.json' || rel === 'LICENSE.txt' || (rel.startsWith('dist/') && noMaps(rel)),
    descend: (rel) => rel.startsWith('dist') && rel !== 'dist/typeshed-fallback/stubs',
  },
  {
    name: 'typescript-language-server',
    into: 'lsp/typescript-language-server',
    keep: (rel) => rel === 'package.json' || rel === 'LICENSE' || rel === 'lib/cli.mjs',
    descend: (rel) => rel === 'lib',
  },
  {
    name: 'typescript',
    into: 'lsp/typescript',
    keep: (rel) =>
      [
        'package.json',
        'LICENSE.txt',
        'lib/tsserver.js',
        'lib/_tsserver.js',
        'lib/typescript.js',
        'lib/typesMap.json',
      ].includes(rel) || /^lib\/lib(\.[^/]+)?\.d\.ts$/.test(rel),
    // Not the translations in lib/<locale>/.
    descend: (rel) => rel === 'lib',
  },
];

export function daemonExtras(): DaemonExtras {
  const files: ExtraFile[] = [];
  const natives: string[] = [];
  const missing: string[] = [];
  const prints: string[] = [];
  for (const spec of PACKAGES) {
    const dir = packageDir(spec.name);
    if (!dir) {
      missing.push(spec.name);
      continue;
    }
    const version =
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
    for (const from of walk(dir, spec.keep, spec.descend))
      files.push({ from, to: join(spec.into, relative(dir, from)) });
    for (const n of spec.natives ?? []) {
      const p = join(dir, n);
      if (existsSync(p)) {
        natives.push(p);
        const st = statSync(p);
        prints.push(`${p}:${st.size}:${st.mtimeMs}`);
      }
    }
    prints.push(`${spec.name}@${version}:${dirname(dir)}`);
  }
  return { files, natives, fingerprint: prints.join('\n'), missing };
}

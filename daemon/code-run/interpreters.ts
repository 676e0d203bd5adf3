// Finds the interpreter for a code-run language inside the sandbox image, and
// falls back to the daemon's own Node (started through its bundled loader) for
// JavaScript/TypeScript in images without one. The loader gets the library
// path as an argument, so nothing like LD_LIBRARY_PATH reaches user code.
import { accessSync, constants, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireFromBundle } from '../bundle-require.js';
import type { DaemonContext } from '../context.js';

export interface Launch {
  command: string;
  args: string[];
}

export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** The daemon's bundled Node, run through the bundled dynamic loader. */
export function injectedNode(bundleDir: string): Launch | null {
  let loader: string | undefined;
  try {
    loader = readdirSync(bundleDir).find((n) => n.startsWith('ld-linux') || n.startsWith('ld64'));
  } catch {
    return null;
  }
  if (!loader) return null;
  return {
    command: join(bundleDir, loader),
    args: ['--library-path', join(bundleDir, 'lib'), join(bundleDir, 'node')],
  };
}

export function nodeLaunch(ctx: DaemonContext, env: Record<string, string>): Launch | null {
  const node = findOnPath('node', env.PATH);
  return node ? { command: node, args: [] } : injectedNode(ctx.bundleDir);
}

export function pythonLaunch(env: Record<string, string>): Launch | null {
  const py = findOnPath('python3', env.PATH) ?? findOnPath('python', env.PATH);
  return py ? { command: py, args: [] } : null;
}

/**
 * sucrase is as large as the rest of the daemon and only this needs it, so it
 * is a file of its own next to the bundle (scripts/bundle-daemon.mjs), read on
 * first use; from the checkout it is the package.
 */
const loadSucrase = (bundleDir: string) =>
  requireFromBundle<typeof import('sucrase')>(bundleDir, 'sucrase.cjs', 'sucrase');

/** ES module syntax at the start of a line: run it as CommonJS after conversion. */
const ESM_SYNTAX = /^\s*(import\s+[\w*{'"]|export\s+(default|const|let|var|function|class|async|\{|\*))/m;

export class TranspileError extends Error {}

/**
 * TypeScript (always) and ESM-syntax JavaScript become CommonJS that `node -`
 * runs. Types are stripped, not checked: like ts-node -T.
 */
export async function toCommonJs(
  code: string,
  language: 'javascript' | 'typescript',
  bundleDir: string,
): Promise<string> {
  if (language === 'javascript' && !ESM_SYNTAX.test(code)) return code;
  const { transform } = loadSucrase(bundleDir);
  try {
    return transform(code, {
      transforms: language === 'typescript' ? ['typescript', 'imports'] : ['imports'],
      filePath: language === 'typescript' ? 'code.ts' : 'code.js',
    }).code;
  } catch (e) {
    const m = /\((\d+):(\d+)\)/.exec((e as Error).message);
    const where = m ? `(${m[1]},${Number(m[2]) + 1})` : '';
    const file = language === 'typescript' ? 'code.ts' : 'code.js';
    const message = (e as Error).message.replace(/^Error transforming \S+: /, '').replace(/\s*\(\d+:\d+\)$/, '');
    throw new TranspileError(`${file}${where}: error: ${message}\n`);
  }
}

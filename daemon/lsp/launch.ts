// How each language server is started: the shipped pyright and
// typescript-language-server (+ TypeScript) from the daemon folder, run on
// the injected Node through the folder's own loader (`--library-path`, never
// LD_LIBRARY_PATH, so nothing leaks into the servers' children or the user's
// processes). Falls back to node_modules when the daemon runs from a checkout.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { AppError } from '../../common/errors.js';
import type { LspLanguage } from '../../common/wire/lsp.js';

export interface Launch {
  command: string;
  args: string[];
  initializationOptions: Record<string, unknown>;
}

function asset(bundleDir: string, inBundle: string, pkgPath: string): string {
  const p = join(bundleDir, 'lsp', inBundle);
  if (existsSync(p)) return p;
  try {
    return createRequire(join(bundleDir, 'daemon.js')).resolve(pkgPath);
  } catch {
    throw new AppError('unavailable', `the language server files are missing (${inBundle})`, {
      reason: 'LSP_UNAVAILABLE',
      hint: 'the daemon bundle is incomplete; rebuild Berth (`npm run build`) and restart the sandbox',
    });
  }
}

/** The command that runs a Node script on the daemon's own Node. */
export function nodeCommand(bundleDir: string, execPath = process.execPath): { command: string; prefix: string[] } {
  if (basename(execPath).startsWith('ld-')) {
    const preload = join(bundleDir, 'lsp-preload.cjs');
    return {
      command: execPath,
      prefix: [
        '--library-path',
        join(bundleDir, 'lib'),
        join(bundleDir, 'node'),
        ...(existsSync(preload) ? ['--require', preload] : []),
      ],
    };
  }
  return { command: execPath, prefix: [] };
}

export function launchFor(language: LspLanguage, bundleDir: string): Launch {
  const node = nodeCommand(bundleDir);
  if (language === 'python') {
    const script = asset(bundleDir, 'pyright/dist/pyright-langserver.js', 'pyright/dist/pyright-langserver.js');
    return { command: node.command, args: [...node.prefix, script, '--stdio'], initializationOptions: {} };
  }
  const cli = asset(bundleDir, 'typescript-language-server/lib/cli.mjs', 'typescript-language-server/lib/cli.mjs');
  const tsserver = asset(bundleDir, 'typescript/lib/tsserver.js', 'typescript/lib/tsserver.js');
  return {
    command: node.command,
    args: [...node.prefix, cli, '--stdio'],
    initializationOptions: {
      tsserver: { path: tsserver },
      // Type acquisition downloads from the npm registry: never at run time.
      disableAutomaticTypingAcquisition: true,
      preferences: { includeCompletionsForModuleExports: true, includeCompletionsWithInsertText: true },
    },
  };
}

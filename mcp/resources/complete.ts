// Completions for sandbox ids/names and paths inside a sandbox.
import type { ResourceDeps } from './index.js';

const MAX = 50;

export async function completeSandbox(d: Pick<ResourceDeps, 'orch' | 'principal'>, value: string): Promise<string[]> {
  try {
    const page = await d.orch.sandboxes.list(d.principal(), {}, { limit: 200, sort: 'createdAt', order: 'desc' });
    const out = new Set<string>();
    for (const s of page.items) {
      if (s.id.startsWith(value)) out.add(s.id);
      if (s.name !== s.id && s.name.startsWith(value)) out.add(s.name);
    }
    return [...out].slice(0, MAX);
  } catch {
    return [];
  }
}

/**
 * Completes a path (as written in a file URI: absolute, without the leading
 * slash, or as a tool argument: with it) by listing its parent folder.
 */
export async function completePath(
  d: Pick<ResourceDeps, 'orch' | 'principal'>,
  sandboxId: string | undefined,
  value: string,
  leadingSlash = false,
): Promise<string[]> {
  if (!sandboxId) return [];
  const abs = '/' + value.replace(/^\/+/, '');
  const dir = abs.slice(0, abs.lastIndexOf('/') + 1) || '/';
  try {
    const entries = await d.orch.toolbox.files.list(d.principal(), sandboxId, dir, 1);
    return entries
      .filter((e) => e.path.startsWith(abs))
      .map((e) => (leadingSlash ? e.path : e.path.replace(/^\/+/, '')) + (e.isDir ? '/' : ''))
      .slice(0, MAX);
  } catch {
    return [];
  }
}

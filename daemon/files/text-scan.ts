// Walks a folder for the search routes: bounded, never follows symbolic links
// (no loops, no escaping into other trees), skips what cannot be named in
// JSON (non-UTF-8 names) and version-control internals.
import { readdir, lstat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';

export const SKIP_DIRS = new Set(['.git', '.hg', '.svn']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface WalkEntry {
  path: string;
  /** Path relative to the root, with `/` separators. */
  rel: string;
  name: string;
  dirent: Dirent;
}

export interface WalkLimits {
  /** Stop after visiting this many entries. */
  maxEntries: number;
  signal?: { aborted: boolean };
}

/** Depth-first, sorted walk. Yields files and folders below `root` (not `root` itself). */
export async function* walk(root: string, limits: WalkLimits): AsyncGenerator<WalkEntry> {
  let seen = 0;
  const stack: { dir: string; rel: string }[] = [{ dir: root, rel: '' }];
  while (stack.length) {
    const { dir, rel } = stack.pop()!;
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      continue; // unreadable or vanished: skip like `find` would
    }
    const named: { name: string; d: Dirent<Buffer> }[] = [];
    for (const d of entries) {
      try {
        named.push({ name: utf8.decode(d.name), d });
      } catch {
        /* a name that is not UTF-8 cannot be reported faithfully in JSON */
      }
    }
    named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: { dir: string; rel: string }[] = [];
    for (const { name, d } of named) {
      if (++seen > limits.maxEntries || limits.signal?.aborted) return;
      const path = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      yield { path, rel: r, name, dirent: d as unknown as Dirent };
      if (d.isDirectory() && !SKIP_DIRS.has(name)) subdirs.push({ dir: path, rel: r });
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

/** A file looks binary when its first block holds a NUL byte (git and grep use the same test). */
export function looksBinary(head: Buffer): boolean {
  return head.subarray(0, 8192).includes(0);
}

export async function isDirectory(p: string): Promise<boolean> {
  return (await lstat(p)).isDirectory();
}

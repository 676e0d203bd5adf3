// The archive format of a sandbox: a tar whose first entry lists the paths
// the sandbox deleted, followed by every added or modified path (folders
// whole) as the engine's copy API returns them. Engine-neutral tar plumbing.
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

const CHANGES_ENTRY = '.berth-changes.json';
/** Paths the engine manages itself: never archived, never restored. */
const ENGINE_PATHS = [
  '/.berth',
  '/.dockerenv',
  '/etc/hosts',
  '/etc/hostname',
  '/etc/resolv.conf',
  '/proc',
  '/sys',
  '/dev',
];

export function planExport(
  changes: { Path: string; Kind: number }[],
  mounts: string[] = [],
): { roots: string[]; deleted: string[] } {
  const within = (path: string, dirs: string[]) => dirs.some((p) => path === p || path.startsWith(p + '/'));
  const excluded = [...ENGINE_PATHS, ...mounts];
  // A folder that holds a mount point is never copied whole (that would copy the mount); its other children are listed one by one.
  const holdsMount = (path: string) => mounts.some((m) => m.startsWith(path === '/' ? '/' : path + '/'));
  const sorted = [...changes]
    .filter((c) => !within(c.Path, excluded))
    .map((c) =>
      c.Kind !== 2 && holdsMount(c.Path) ? { Path: c.Path, Kind: 0, holder: true } : { ...c, holder: false },
    )
    .sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
  const roots: string[] = [];
  const deleted: string[] = [];
  let covering: string | null = null;
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i]!;
    if (covering && c.Path.startsWith(covering + '/')) continue;
    covering = null;
    if (c.Kind === 2) {
      deleted.push(c.Path);
      covering = c.Path;
    } else if (c.Kind === 1) {
      roots.push(c.Path);
      covering = c.Path;
    } else {
      // A modified folder is listed because something inside changed; those children come next.
      const next = sorted[i + 1];
      if (c.holder || (next && next.Path.startsWith(c.Path + '/'))) continue;
      roots.push(c.Path);
      covering = c.Path;
    }
  }
  return { roots, deleted };
}

/** Copies every entry of a `docker cp` tar into `pack`, under `prefix`. */
async function repack(input: Readable, pack: tar.Pack, prefix: string): Promise<void> {
  const extract = tar.extract();
  const under = (n: string) => (prefix ? `${prefix}/${n}` : n);
  extract.on('entry', (header, stream, next) => {
    const h = { ...header, name: under(header.name) };
    if (header.type === 'link' && header.linkname) h.linkname = under(header.linkname);
    stream.pipe(pack.entry(h, next));
  });
  await pipeline(input, extract);
}

export interface ExportPlan {
  roots: string[];
  deleted: string[];
}

/** Streams the archive of `plan` to `out`, fetching each root as a tar from the engine. */
export async function writeChangesArchive(
  plan: ExportPlan,
  fetch: (root: string) => Promise<Readable>,
  out: Writable,
): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, out);
  const manifest = Buffer.from(JSON.stringify({ version: 1, deleted: plan.deleted, roots: plan.roots }));
  pack.entry({ name: CHANGES_ENTRY, size: manifest.length, mode: 0o644 }, manifest);
  for (const root of plan.roots) await repack(await fetch(root), pack, posix.dirname(root).replace(/^\/+/, ''));
  pack.finalize();
  await done;
}

/** Feeds the file entries of an archive to `put` (one tar stream) and returns the recorded deletions. */
export async function readChangesArchive(
  input: Readable,
  put: (entries: Readable) => Promise<unknown>,
): Promise<string[]> {
  const extract = tar.extract();
  const pack = tar.pack();
  let deleted: string[] = [];
  extract.on('entry', (header, stream, next) => {
    if (header.name !== CHANGES_ENTRY) {
      stream.pipe(pack.entry(header, next));
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (d: unknown) => chunks.push(d as Buffer));
    stream.on('end', () => {
      try {
        deleted = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { deleted?: string[] }).deleted ?? [];
      } catch {
        deleted = [];
      }
      next();
    });
  });
  extract.on('finish', () => pack.finalize());
  await Promise.all([pipeline(input, extract), put(pack as unknown as Readable)]);
  return deleted;
}

// uid/gid → name from the sandbox's own /etc/passwd and /etc/group (no NSS
// needed, so it also works in images without libc). Cached per file mtime.
import { readFileSync, statSync } from 'node:fs';

type Table = { mtime: number; byId: Map<number, string>; byName: Map<string, number> };
const cache = new Map<string, Table>();

function load(file: string): Table {
  let mtime = -1;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    /* absent */
  }
  const hit = cache.get(file);
  if (hit && hit.mtime === mtime) return hit;
  const t: Table = { mtime, byId: new Map(), byName: new Map() };
  if (mtime >= 0) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length < 3 || !f[0]) continue;
      const id = Number(f[2]);
      if (!Number.isInteger(id)) continue;
      if (!t.byId.has(id)) t.byId.set(id, f[0]);
      t.byName.set(f[0], id);
    }
  }
  cache.set(file, t);
  return t;
}

export const userName = (uid: number) => load('/etc/passwd').byId.get(uid) ?? String(uid);
export const groupName = (gid: number) => load('/etc/group').byId.get(gid) ?? String(gid);
export const userId = (name: string) => (/^\d+$/.test(name) ? Number(name) : load('/etc/passwd').byName.get(name));
export const groupId = (name: string) => (/^\d+$/.test(name) ? Number(name) : load('/etc/group').byName.get(name));

export function homeOf(uid: number): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (Number(f[2]) === uid && f[5]) return f[5];
    }
  } catch {
    /* no passwd file */
  }
  return undefined;
}

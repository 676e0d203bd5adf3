import { lstat, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename } from 'node:path';
import type { FileInfo } from '../../common/wire/daemon.js';
import { groupName, userName } from './accounts.js';

export function toFileInfo(path: string, st: Stats, isSymlink = st.isSymbolicLink()): FileInfo {
  const perm = (st.mode & 0o7777).toString(8).padStart(4, '0');
  return {
    name: basename(path) || path,
    path,
    size: st.size,
    mode: modeString(st),
    permissions: perm,
    isDir: st.isDirectory(),
    isSymlink,
    modTime: st.mtime.toISOString(),
    owner: userName(st.uid),
    group: groupName(st.gid),
  };
}

/** Stat that follows a symlink for type and size, but still reports it is one. */
export async function statInfo(path: string): Promise<FileInfo> {
  const l = await lstat(path);
  if (!l.isSymbolicLink()) return toFileInfo(path, l, false);
  try {
    return toFileInfo(path, await stat(path), true);
  } catch {
    return toFileInfo(path, l, true); // dangling link
  }
}

function modeString(st: Stats): string {
  const t = st.isDirectory()
    ? 'd'
    : st.isSymbolicLink()
      ? 'L'
      : st.isFIFO()
        ? 'p'
        : st.isSocket()
          ? 'S'
          : st.isCharacterDevice()
            ? 'c'
            : st.isBlockDevice()
              ? 'D'
              : '-';
  const m = st.mode;
  const rwx = (s: number) => `${m & (4 << s) ? 'r' : '-'}${m & (2 << s) ? 'w' : '-'}${m & (1 << s) ? 'x' : '-'}`;
  return (t === '-' ? '-' : t) + rwx(6) + rwx(3) + rwx(0);
}

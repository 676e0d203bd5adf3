// File operations with POSIX semantics, for SFTP (gateways/ssh): raw stat
// (numeric mode with the type bits, uid, gid, times in seconds), exact mkdir,
// setstat, symlinks, realpath, and writing into a file at an offset, in
// place. The plain file API (daemon/files/routes.ts) stays as the SDK wants it.
import { z } from 'zod';

export const POSIX_PATHS = {
  stat: '/files/posix/stat',
  list: '/files/posix/list',
  realpath: '/files/posix/realpath',
  readlink: '/files/posix/readlink',
  symlink: '/files/posix/symlink',
  setstat: '/files/posix/setstat',
  mkdir: '/files/posix/mkdir',
  write: '/files/posix/write',
} as const;

export interface PosixStat {
  /** st_mode: type bits and permissions. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  atime: number;
  mtime: number;
  nlink: number;
}

export interface PosixEntry {
  name: string;
  /** As lstat sees it (a link is a link). */
  stat: PosixStat;
  owner: string;
  group: string;
}

export const SetStat = z
  .object({
    mode: z.number().int().min(0).max(0o7777).optional(),
    uid: z.number().int().min(0).max(0xffffffff).optional(),
    gid: z.number().int().min(0).max(0xffffffff).optional(),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    atime: z.number().min(0).optional(),
    mtime: z.number().min(0).optional(),
  })
  .strict();
export type SetStat = z.infer<typeof SetStat>;

/** How a write opens its file (SFTP's open flags that matter for writing). */
export interface WriteOpen {
  /** Byte offset of the first byte written (ignored with append). */
  offset: number;
  create?: boolean;
  truncate?: boolean;
  /** Fail if it exists (with create). */
  exclusive?: boolean;
  append?: boolean;
  /** Permissions of a file this creates (octal digits, umask applies). */
  mode?: string;
}

/** The last message of a write's response body, once the request body has ended. */
export type WriteResult =
  | { ok: true; written: number }
  | { ok: false; error: { code: string; message: string; reason?: string; hint?: string } };

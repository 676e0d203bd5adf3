// SFTP's shapes for what the sandbox's file API returns: ATTRS from a POSIX
// stat, `ls -l` long names as OpenSSH's server writes them, and the status
// code (with a message) for each error.
import ssh2 from 'ssh2';
import type { Attributes, InputAttributes } from 'ssh2';
import { AppError } from '../../common/errors.js';
import type { PosixEntry, PosixStat, SetStat } from '../../common/wire/posix-files.js';

export const STATUS = ssh2.utils.sftp.STATUS_CODE;
export const OPEN = ssh2.utils.sftp.OPEN_MODE;

export const toAttrs = (s: PosixStat): Attributes => ({
  mode: s.mode,
  uid: s.uid,
  gid: s.gid,
  size: s.size,
  atime: s.atime,
  mtime: s.mtime,
});

/** The parts of client-sent ATTRS a sandbox can apply. */
export function toSetStat(a: InputAttributes): SetStat {
  const out: SetStat = {};
  if (typeof a.mode === 'number') out.mode = a.mode & 0o7777;
  if (typeof a.uid === 'number') out.uid = a.uid;
  if (typeof a.gid === 'number') out.gid = a.gid;
  if (typeof a.size === 'number') out.size = a.size;
  const secs = (t: unknown) => (t instanceof Date ? t.getTime() / 1000 : typeof t === 'number' ? t : undefined);
  if (secs(a.atime) !== undefined) out.atime = secs(a.atime);
  if (secs(a.mtime) !== undefined) out.mtime = secs(a.mtime);
  return out;
}

const TYPE: Record<number, string> = {
  0o040000: 'd',
  0o120000: 'l',
  0o010000: 'p',
  0o140000: 's',
  0o020000: 'c',
  0o060000: 'b',
};

function modeString(mode: number): string {
  const t = TYPE[mode & 0o170000] ?? '-';
  const rwx = (shift: number, special: number, ch: string) => {
    const x = mode & (1 << shift);
    const s = mode & special;
    return `${mode & (4 << shift) ? 'r' : '-'}${mode & (2 << shift) ? 'w' : '-'}${s ? (x ? ch : ch.toUpperCase()) : x ? 'x' : '-'}`;
  };
  return t + rwx(6, 0o4000, 's') + rwx(3, 0o2000, 's') + rwx(0, 0o1000, 't');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `-rw-r--r--    1 berth    berth        1234 Jan  2 15:04 name`, like `ls -l` (and OpenSSH's sftp-server). */
export function longname(e: PosixEntry, now: Date): string {
  const s = e.stat;
  const t = new Date(s.mtime * 1000);
  const recent = Math.abs(now.getTime() - t.getTime()) < 182 * 86_400_000;
  const day = String(t.getUTCDate()).padStart(2, ' ');
  const when = `${MONTHS[t.getUTCMonth()]} ${day} ${recent ? `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}` : ` ${t.getUTCFullYear()}`}`;
  return `${modeString(s.mode)} ${String(s.nlink).padStart(4)} ${e.owner.padEnd(8)} ${e.group.padEnd(8)} ${String(s.size).padStart(8)} ${when} ${e.name}`;
}

/** The status an error answers with, and a message the client shows. */
export function statusOf(e: unknown): { code: number; message: string } {
  if (!(e instanceof AppError)) return { code: STATUS.FAILURE, message: 'internal error' };
  switch (e.code) {
    case 'not_found':
      return { code: STATUS.NO_SUCH_FILE, message: e.message };
    case 'forbidden':
      return { code: STATUS.PERMISSION_DENIED, message: e.message };
    case 'unavailable':
      return { code: STATUS.FAILURE, message: `${e.message}${e.hint ? ` (${e.hint})` : ''}` };
    default:
      return { code: STATUS.FAILURE, message: e.message };
  }
}

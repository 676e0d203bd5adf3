// POSIX file semantics for SFTP (common/wire/posix-files.ts). The daemon runs
// as the sandbox user, so the kernel decides what each call may do; these
// routes only translate. A write answers as soon as its file is open (so open
// errors come before any data), then takes the request body into the file at
// the offset, in place, and ends its response with one WriteResult.
import { createWriteStream, constants as fsc, type Stats } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  stat,
  symlink,
  truncate,
  utimes,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../common/errors.js';
import {
  POSIX_PATHS,
  SetStat,
  type PosixEntry,
  type PosixStat,
  type WriteResult,
} from '../../common/wire/posix-files.js';
import type { DaemonContext } from '../context.js';
import { fsError } from '../errors.js';
import { resolvePath } from '../paths.js';
import { readJson, sendJson, type Router } from '../router.js';
import { groupName, userName } from './accounts.js';

const MAX_LIST = 100_000;

export const posixStat = (st: Stats): PosixStat => ({
  mode: st.mode,
  uid: st.uid,
  gid: st.gid,
  size: st.size,
  atime: Math.floor(st.atimeMs / 1000),
  mtime: Math.floor(st.mtimeMs / 1000),
  nlink: st.nlink,
});

function mode(raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^[0-7]{1,4}$/.test(raw))
    throw new AppError('invalid_argument', `mode ${JSON.stringify(raw)} is not octal permissions like 644`, {
      reason: 'BAD_REQUEST',
    });
  return parseInt(raw, 8);
}

function offset(raw: string | null): number {
  const n = Number(raw ?? 0);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new AppError('invalid_argument', `offset ${JSON.stringify(raw)} is not a byte offset`, {
      reason: 'BAD_REQUEST',
    });
  return n;
}

/** realpath that tolerates a missing last component (SFTP clients ask for paths they are about to create). */
async function lenientRealpath(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const parent = await realpath(dirname(p)).catch(() => dirname(p));
    return join(parent, basename(p));
  }
}

export function registerPosixFiles(router: Router, ctx: DaemonContext): void {
  const path = (q: URLSearchParams, key = 'path') => resolvePath(ctx.paths, q.get(key), key);
  const guard = async <T>(p: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw fsError(e, p);
    }
  };

  router.on('GET', POSIX_PATHS.stat, async ({ query, res }) => {
    const p = path(query);
    const follow = query.get('follow') !== 'false';
    sendJson(res, 200, posixStat(await guard(p, () => (follow ? stat(p) : lstat(p)))));
  });

  router.on('GET', POSIX_PATHS.list, async ({ query, res }) => {
    const p = path(query);
    const names = (await guard(p, () => readdir(p))).slice(0, MAX_LIST);
    const out: PosixEntry[] = [];
    for (let i = 0; i < names.length; i += 64) {
      const batch = await Promise.all(
        names.slice(i, i + 64).map(async (name) => {
          const st = await lstat(join(p, name)).catch(() => null); // vanished while listing
          return st ? { name, stat: posixStat(st), owner: userName(st.uid), group: groupName(st.gid) } : null;
        }),
      );
      for (const e of batch) if (e) out.push(e);
    }
    sendJson(res, 200, out);
  });

  router.on('GET', POSIX_PATHS.realpath, async ({ query, res }) => {
    const p = path(query);
    sendJson(res, 200, { path: await guard(p, () => lenientRealpath(p)) });
  });

  router.on('GET', POSIX_PATHS.readlink, async ({ query, res }) => {
    const p = path(query);
    sendJson(res, 200, { target: await guard(p, () => readlink(p)) });
  });

  router.on('POST', POSIX_PATHS.symlink, async ({ query, res }) => {
    const p = path(query);
    // The target is stored as given (relative targets stay relative), like ln -s.
    const target = query.get('target') ?? '';
    if (!target || target.includes('\0') || target.length > 4096)
      throw new AppError('invalid_argument', 'target must be 1-4096 bytes without NUL', {
        reason: 'INVALID_FILE_PATH',
      });
    await guard(p, () => symlink(target, p));
    res.writeHead(204).end();
  });

  router.on('POST', POSIX_PATHS.mkdir, async ({ query, res }) => {
    const p = path(query);
    await guard(p, () => mkdir(p, { mode: mode(query.get('mode'), 0o755) }));
    res.writeHead(204).end();
  });

  router.on('POST', POSIX_PATHS.setstat, async ({ query, req, res }) => {
    const p = path(query);
    const a = await readJson(req, SetStat);
    await guard(p, async () => {
      if (a.size !== undefined) await truncate(p, a.size);
      if (a.uid !== undefined || a.gid !== undefined) {
        const st = await stat(p);
        if ((a.uid ?? st.uid) !== st.uid || (a.gid ?? st.gid) !== st.gid)
          await chown(p, a.uid ?? st.uid, a.gid ?? st.gid);
      }
      if (a.mode !== undefined) await chmod(p, a.mode);
      if (a.atime !== undefined || a.mtime !== undefined) {
        const st = await stat(p);
        await utimes(p, a.atime ?? st.atimeMs / 1000, a.mtime ?? st.mtimeMs / 1000);
      }
    });
    res.writeHead(204).end();
  });

  router.on('PUT', POSIX_PATHS.write, async ({ query, req, res }) => {
    const p = path(query);
    const at = offset(query.get('offset'));
    const append = query.get('append') === 'true';
    const flags =
      fsc.O_WRONLY |
      (query.get('create') === 'true' ? fsc.O_CREAT : 0) |
      (query.get('truncate') === 'true' ? fsc.O_TRUNC : 0) |
      (query.get('exclusive') === 'true' ? fsc.O_EXCL : 0) |
      (append ? fsc.O_APPEND : 0);
    const fh = await guard(p, async () => {
      const h = await open(p, flags, mode(query.get('mode'), 0o644));
      if ((await h.stat().catch(() => null))?.isDirectory()) {
        await h.close();
        throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      }
      return h;
    });
    const stream = res.stream;
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    const ws = createWriteStream('', { fd: fh, ...(append ? {} : { start: at }), highWaterMark: 256 * 1024 });
    let result: WriteResult;
    try {
      await pipeline(req, ws);
      result = { ok: true, written: ws.bytesWritten };
    } catch (e) {
      const err = fsError(e, p);
      result = { ok: false, error: { code: err.code, message: err.message, reason: err.reason, hint: err.hint } };
    }
    if (!stream.destroyed) stream.end(JSON.stringify(result));
  });
}

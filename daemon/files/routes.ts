// File operations inside the sandbox: list, stat, mkdir, delete, move, and
// streamed upload/download. Uploads land in a temporary file renamed into
// place, so a failed upload never destroys the previous content.
import { createWriteStream } from 'node:fs';
import { chmod, cp, mkdir, open, readdir, rename, rm, stat, unlink, lstat } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../common/errors.js';
import type { FileInfo } from '../../common/wire/daemon.js';
import type { DaemonContext } from '../context.js';
import { fsError } from '../errors.js';
import { resolvePath } from '../paths.js';
import { readJson, sendJson, type Router } from '../router.js';
import { z } from 'zod';
import { statInfo } from './info.js';

const MAX_LIST = 100_000;

function parseMode(raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^[0-7]{3,4}$/.test(raw))
    throw new AppError('invalid_argument', `mode ${JSON.stringify(raw)} is not an octal permission like 755`, {
      reason: 'BAD_REQUEST',
    });
  return parseInt(raw, 8);
}

export async function listTree(root: string, depth: number): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  const walk = async (dir: string, level: number) => {
    const entries = await readdir(dir);
    entries.sort();
    for (const name of entries) {
      if (out.length >= MAX_LIST) return;
      const p = join(dir, name);
      let info: FileInfo;
      try {
        info = await statInfo(p);
      } catch {
        continue; // vanished while listing
      }
      out.push(info);
      if (info.isDir && !info.isSymlink && level < depth) await walk(p, level + 1).catch(() => {});
    }
  };
  await walk(root, 1);
  return out;
}

export function registerFiles(router: Router, ctx: DaemonContext): void {
  const path = (q: URLSearchParams, key = 'path') => resolvePath(ctx.paths, q.get(key), key);

  router.on('GET', '/files/list', async ({ query, res }) => {
    const p = path(query);
    const depth = Math.min(Math.max(Number(query.get('depth') ?? 1) || 1, 1), 64);
    try {
      const st = await stat(p);
      if (!st.isDirectory())
        throw new AppError('invalid_argument', `not a directory: ${p}`, {
          reason: 'INVALID_FILE_PATH',
          hint: 'list a folder; use file info for a file',
        });
      sendJson(res, 200, await listTree(p, depth));
    } catch (e) {
      throw fsError(e, p);
    }
  });

  router.on('GET', '/files/info', async ({ query, res }) => {
    const p = path(query);
    try {
      sendJson(res, 200, await statInfo(p));
    } catch (e) {
      throw fsError(e, p);
    }
  });

  router.on('POST', '/files/mkdir', async ({ query, res }) => {
    const p = path(query);
    const mode = parseMode(query.get('mode'), 0o755);
    try {
      await mkdir(p, { recursive: true, mode });
      const st = await stat(p);
      if (!st.isDirectory()) throw new AppError('conflict', `a file already exists at ${p}`, { reason: 'FILE_EXISTS' });
      sendJson(res, 201, await statInfo(p));
    } catch (e) {
      throw fsError(e, p);
    }
  });

  router.on('DELETE', '/files', async ({ query, res }) => {
    const p = path(query);
    const recursive = query.get('recursive') === 'true';
    try {
      const st = await lstat(p);
      if (st.isDirectory() && !recursive) {
        const children = await readdir(p);
        if (children.length)
          throw new AppError('invalid_argument', `${p} is a non-empty folder`, {
            reason: 'INVALID_FILE_PATH',
            hint: 'pass recursive=true to delete a folder and its contents',
          });
      }
      await rm(p, { recursive: st.isDirectory(), force: false });
      res.writeHead(204).end();
    } catch (e) {
      throw fsError(e, p);
    }
  });

  router.on('POST', '/files/move', async ({ query, res }) => {
    const src = path(query, 'source');
    const dst = path(query, 'destination');
    const overwrite = query.get('overwrite') === 'true';
    try {
      await lstat(src);
      const exists = await lstat(dst).then(
        () => true,
        () => false,
      );
      if (exists && !overwrite)
        throw new AppError('conflict', `destination ${dst} already exists`, {
          reason: 'FILE_EXISTS',
          hint: 'delete it first or pass overwrite=true',
        });
      await mkdir(dirname(dst), { recursive: true });
      try {
        await rename(src, dst);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        await cp(src, dst, { recursive: true, force: true, preserveTimestamps: true, verbatimSymlinks: true });
        await rm(src, { recursive: true, force: true });
      }
      sendJson(res, 200, await statInfo(dst));
    } catch (e) {
      throw fsError(e, `${src} -> ${dst}`);
    }
  });

  // Replays deletions recorded in an archive, as the same user that made them.
  router.on('POST', '/files/remove-paths', async ({ req, res }) => {
    const { paths } = await readJson(req, z.object({ paths: z.array(z.string()).max(1_000_000) }));
    let failed = 0;
    for (const p of paths) await rm(resolvePath(ctx.paths, p), { recursive: true, force: true }).catch(() => failed++);
    sendJson(res, 200, { removed: paths.length - failed, failed });
  });

  router.on('GET', '/files/content', async ({ query, res }) => {
    const p = path(query);
    // From a byte offset on (SFTP reads resume where a client asks).
    const start = Number(query.get('offset') ?? 0);
    if (!Number.isSafeInteger(start) || start < 0)
      throw new AppError('invalid_argument', 'offset must be a byte offset ≥ 0', { reason: 'BAD_REQUEST' });
    let fh;
    let size = 0;
    try {
      fh = await open(p, 'r');
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      size = st.size;
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': Math.max(0, st.size - start),
        'x-berth-mode': (st.mode & 0o7777).toString(8),
        'x-berth-mtime': st.mtime.toISOString(),
      });
    } catch (e) {
      await fh?.close();
      throw fsError(e, p);
    }
    if (start >= size) {
      await fh.close();
      res.end();
      return;
    }
    await pipeline(fh.createReadStream({ highWaterMark: 256 * 1024, start }), res).catch(() => res.stream.close());
  });

  router.on('PUT', '/files/content', async ({ query, req, res }) => {
    const p = path(query);
    const mode = query.has('mode') ? parseMode(query.get('mode'), 0o644) : undefined;
    const tmp = join(dirname(p), `.${basename(p)}.berth-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dirname(p), { recursive: true });
      const existing = await stat(p).catch(() => null);
      if (existing?.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      await pipeline(req, createWriteStream(tmp, { mode: mode ?? 0o644, highWaterMark: 256 * 1024 }));
      if (mode !== undefined) await chmod(tmp, mode);
      else if (existing) await chmod(tmp, existing.mode & 0o7777);
      await rename(tmp, p);
      sendJson(res, 200, await statInfo(p));
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw fsError(e, p);
    }
  });
}

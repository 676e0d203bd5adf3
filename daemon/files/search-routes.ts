// File routes beyond transfer: find text in files, search names by glob,
// replace text across files, and set owner/group/mode.
import { chmod, chown, lstat, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../common/errors.js';
import { ReplaceRequest, type FindMatch, type ReplaceResult } from '../../common/wire/toolbox.js';
import type { DaemonContext } from '../context.js';
import { fsError } from '../errors.js';
import { readJson, sendJson, type Router } from '../router.js';
import { groupId, userId } from './accounts.js';
import { globMatcher } from './glob.js';
import { statInfo } from './info.js';
import { strictPath } from './strict-path.js';
import { looksBinary, walk } from './text-scan.js';

export const FIND_LIMITS = { maxMatches: 10_000, maxEntries: 500_000, maxFileBytes: 8 << 20, maxLineChars: 1000 };
export const SEARCH_LIMIT = 10_000;
const MAX_REPLACE_BYTES = 64 << 20;

/** Lines of `text` containing `needle`, 1-based, long lines cut. */
export function matchLines(file: string, text: string, needle: string, out: FindMatch[], max: number): void {
  let from = 0;
  let line = 1;
  let counted = 0; // newlines before `counted` are in `line`
  while (out.length < max) {
    const hit = text.indexOf(needle, from);
    if (hit < 0) return;
    const start = text.lastIndexOf('\n', hit) + 1;
    let end = text.indexOf('\n', hit);
    if (end < 0) end = text.length;
    for (let i = text.indexOf('\n', counted); i >= 0 && i < start; i = text.indexOf('\n', i + 1)) line++;
    counted = start;
    const content = text.slice(start, end).replace(/\r$/, '');
    out.push({
      file,
      line,
      content: content.length > FIND_LIMITS.maxLineChars ? content.slice(0, FIND_LIMITS.maxLineChars) + '…' : content,
    });
    from = end + 1;
  }
}

async function scanFile(path: string, needle: string, out: FindMatch[]): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    if (!st.isFile() || st.size > FIND_LIMITS.maxFileBytes) return;
    const buf = await fh.readFile();
    if (looksBinary(buf)) return;
    matchLines(path, buf.toString('utf8'), needle, out, FIND_LIMITS.maxMatches);
  } catch {
    /* unreadable files are skipped, as grep -s would */
  } finally {
    await fh?.close();
  }
}

function idOf(kind: 'owner' | 'group', raw: string | null): number {
  if (raw === null || raw === '') return -1;
  const id = kind === 'owner' ? userId(raw) : groupId(raw);
  if (id === undefined) {
    throw new AppError(
      'invalid_argument',
      `unknown ${kind === 'owner' ? 'user' : 'group'} ${JSON.stringify(raw)} in this sandbox`,
      {
        reason: 'BAD_REQUEST',
        hint: `use a name from /etc/${kind === 'owner' ? 'passwd' : 'group'} or a numeric id`,
      },
    );
  }
  return id;
}

async function replaceInFile(path: string, pattern: string, value: string): Promise<number> {
  const st = await stat(path);
  if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
  if (st.size > MAX_REPLACE_BYTES)
    throw new AppError('payload_too_large', `${path} is larger than ${MAX_REPLACE_BYTES >> 20} MiB`);
  const buf = await readFile(path);
  if (looksBinary(buf))
    throw new AppError('invalid_argument', `${path} looks like a binary file; not editing it`, {
      reason: 'BAD_REQUEST',
    });
  const parts = buf.toString('utf8').split(pattern);
  if (parts.length === 1) return 0;
  const text = parts.join(value);
  // Temp file + rename: a crash never leaves half a file. Where the folder is
  // not writable but the file is, write in place instead.
  const tmp = join(dirname(path), `.${basename(path)}.berth-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(tmp, text, { mode: st.mode & 0o7777, flag: 'wx' });
    await chmod(tmp, st.mode & 0o7777);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    if ((e as NodeJS.ErrnoException).code !== 'EACCES' && (e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    await writeFile(path, text);
  }
  return parts.length - 1;
}

export function registerFileSearch(router: Router, ctx: DaemonContext): void {
  const path = (q: URLSearchParams, key = 'path') => strictPath(ctx.paths, q.get(key), key);
  const pattern = (q: URLSearchParams) => {
    const p = q.get('pattern');
    if (!p)
      throw new AppError('invalid_argument', 'pattern is required', {
        reason: 'BAD_REQUEST',
        hint: 'pass pattern=<text>',
      });
    if (p.includes('\0'))
      throw new AppError('invalid_argument', 'pattern contains a NUL byte', { reason: 'BAD_REQUEST' });
    return p;
  };

  router.on('GET', '/files/find', async ({ query, res }) => {
    const root = path(query);
    const needle = pattern(query);
    const out: FindMatch[] = [];
    let st;
    try {
      st = await stat(root);
    } catch (e) {
      throw fsError(e, root);
    }
    if (st.isFile()) await scanFile(root, needle, out);
    else if (st.isDirectory()) {
      for await (const e of walk(root, { maxEntries: FIND_LIMITS.maxEntries })) {
        if (out.length >= FIND_LIMITS.maxMatches) break;
        if (e.dirent.isFile()) await scanFile(e.path, needle, out);
      }
    } else
      throw new AppError('invalid_argument', `${root} is neither a file nor a folder`, { reason: 'INVALID_FILE_PATH' });
    sendJson(res, 200, out);
  });

  router.on('GET', '/files/search', async ({ query, res }) => {
    const root = path(query);
    const match = globMatcher(pattern(query));
    try {
      if (!(await stat(root)).isDirectory()) {
        throw new AppError('invalid_argument', `not a directory: ${root}`, {
          reason: 'INVALID_FILE_PATH',
          hint: 'search starts at a folder',
        });
      }
    } catch (e) {
      throw fsError(e, root);
    }
    const files: string[] = [];
    for await (const e of walk(root, { maxEntries: FIND_LIMITS.maxEntries })) {
      if (match(e.rel, e.name)) files.push(e.path);
      if (files.length >= SEARCH_LIMIT) break;
    }
    sendJson(res, 200, { files });
  });

  router.on('POST', '/files/replace', async ({ req, res }) => {
    const body = await readJson(req, ReplaceRequest);
    const results: ReplaceResult[] = [];
    for (const f of body.files) {
      try {
        const p = strictPath(ctx.paths, f, 'file');
        const n = await replaceInFile(p, body.pattern, body.newValue);
        results.push({ file: f, success: true, replacements: n });
      } catch (e) {
        results.push({ file: f, success: false, error: fsError(e, f).message });
      }
    }
    sendJson(res, 200, results);
  });

  router.on('POST', '/files/permissions', async ({ query, res }) => {
    const p = path(query);
    const raw = query.get('mode');
    if (raw && !/^[0-7]{3,4}$/.test(raw)) {
      throw new AppError('invalid_argument', `mode ${JSON.stringify(raw)} is not an octal permission like 755`, {
        reason: 'BAD_REQUEST',
      });
    }
    const uid = idOf('owner', query.get('owner'));
    const gid = idOf('group', query.get('group'));
    try {
      const st = await lstat(p);
      if ((uid !== -1 && uid !== st.uid) || (gid !== -1 && gid !== st.gid)) {
        try {
          await chown(p, uid, gid);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EPERM' || code === 'EACCES') {
            throw new AppError(
              'forbidden',
              `cannot change the owner or group of ${p}: the sandbox user (${ctx.user.name}) may not give files away`,
              {
                reason: 'FILE_ACCESS_DENIED',
                hint: 'sandboxes run without CAP_CHOWN: the owner can only stay the sandbox user, and the group can only be one the user belongs to',
              },
            );
          }
          throw e;
        }
      }
      // After chown, which clears set-id bits.
      if (raw) await chmod(p, parseInt(raw, 8));
      sendJson(res, 200, await statInfo(p));
    } catch (e) {
      throw fsError(e, p);
    }
  });
}

// The sftp subsystem (sftp, and scp, which speaks SFTP since OpenSSH 9) on
// the sandbox's file API: each request becomes one orchestrator call (so
// permissions, activity and the audit log are the toolbox's own: writes,
// removes, renames and mode changes are recorded with their paths), and file
// contents stream through sftp-file.ts, never held whole.
import type { Attributes, InputAttributes, SFTPWrapper } from 'ssh2';
import { AppError } from '../../common/errors.js';
import type { SshLogin } from '../../orchestrator/index.js';
import { describe, type Connection } from './connection.js';
import { longname, OPEN, STATUS, statusOf, toAttrs, toSetStat } from './sftp-attrs.js';
import { SftpFile } from './sftp-file.js';

/** Handles open at once per session, and requests waiting for an answer. */
const MAX_HANDLES = 256;
const MAX_IN_FLIGHT = 1024;
/** Largest READ answered (OpenSSH asks for 32-256 KiB). */
const MAX_READ = 256 * 1024;
const NAMES_PER_READDIR = 128;

interface DirHandle {
  kind: 'dir';
  names: { filename: string; longname: string; attrs: ReturnType<typeof toAttrs> }[];
  at: number;
}
type Handle = { kind: 'file'; file: SftpFile } | DirHandle;

// ssh2 offers neither stderr nor an exit status on an SFTP channel; its protocol object does.
type RawSftp = {
  _protocol: {
    channelExtData(id: number, data: Buffer, type: number): void;
    exitStatus(id: number, status: number): void;
  };
  outgoing: { id: number; state: string };
};

/** Ends the subsystem with an exit status, as sftp-server's exit does (ssh, and so scp, exit with it). */
function finish(sftp: SFTPWrapper, status: number, message?: string): void {
  const raw = sftp as unknown as RawSftp;
  if (raw.outgoing.state === 'open') {
    if (message) raw._protocol.channelExtData(raw.outgoing.id, Buffer.from(message), 1);
    raw._protocol.exitStatus(raw.outgoing.id, status);
  }
  sftp.end();
}

/** Tells the client why there are no files (the sftp and scp clients print the subsystem's stderr). */
const refuse = (conn: Connection, sftp: SFTPWrapper) =>
  finish(sftp, 1, describe(conn.refusal ?? new AppError('unauthorized', 'not logged in')));

export function serveSftp(conn: Connection, sftp: SFTPWrapper): void {
  const files = conn.d.orch.toolbox.files;
  // Requests may come before the login's sandbox is held open; each waits for it (serve below).
  let p = null as unknown as SshLogin['principal'];
  let id = '';
  let refused = false;
  const handles = new Map<number, Handle>();
  let nextHandle = 1;
  let inFlight = 0;
  let clientDone = false;

  /** Paths arrive as UTF-8; text that was not (decoded to U+FFFD) would name another file. */
  const path = (raw: string) => {
    if (raw.includes('\uFFFD')) throw new AppError('invalid_argument', 'the path is not valid UTF-8');
    return raw === '' ? '.' : raw;
  };
  const newHandle = (h: Handle): Buffer => {
    if (handles.size >= MAX_HANDLES)
      throw new AppError('quota_exceeded', `more than ${MAX_HANDLES} open files or folders`);
    const n = nextHandle++;
    handles.set(n, h);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const handleOf = (b: Buffer): Handle => {
    const h = b.length === 4 ? handles.get(b.readUInt32BE()) : undefined;
    if (!h) throw new AppError('invalid_argument', 'no such handle');
    return h;
  };
  const fileOf = (b: Buffer): SftpFile => {
    const h = handleOf(b);
    if (h.kind !== 'file') throw new AppError('invalid_argument', 'that handle is a folder');
    return h.file;
  };

  /** Answers one request: its own reply on success, a status with a message on failure. */
  const serve = (reqid: number, f: () => Promise<void>) => {
    if (++inFlight > MAX_IN_FLIGHT) {
      conn.log.warn('sftp: too many requests in flight; ending the session', { connection: conn.source.connectionId });
      sftp.end();
      return;
    }
    conn.ready
      .then(() => {
        if (!conn.login || conn.refusal) {
          if (!refused) refuse(conn, sftp);
          refused = true;
          return;
        }
        p = conn.login.principal;
        id = conn.login.sandbox.id;
        return f();
      })
      .catch((e) => {
        if (!(e instanceof AppError))
          conn.log.error('sftp request failed', { error: (e as Error)?.stack ?? String(e) });
        const s = statusOf(e);
        if ((sftp as unknown as RawSftp).outgoing.state === 'open') sftp.status(reqid, s.code, s.message);
      })
      .finally(() => {
        if (--inFlight === 0 && clientDone) finish(sftp, 0);
      });
  };
  const ok = (reqid: number) => sftp.status(reqid, STATUS.OK);
  const isDir = (mode: number) => (mode & 0o170000) === 0o040000;
  const modeOf = (a: InputAttributes) => (typeof a.mode === 'number' ? (a.mode & 0o7777).toString(8) : undefined);

  sftp.on('OPEN', (reqid, filename, flags, attrs) =>
    serve(reqid, async () => {
      const file = new SftpFile(
        path(filename),
        {
          download: (f, offset) => files.download(p, id, f, offset),
          openWrite: (f, how) => files.openWrite(p, id, f, how),
        },
        !!(flags & OPEN.APPEND),
      );
      if (flags & (OPEN.WRITE | OPEN.APPEND)) {
        await file.openWrite({
          offset: 0,
          create: !!(flags & OPEN.CREAT),
          truncate: !!(flags & OPEN.TRUNC),
          exclusive: !!(flags & OPEN.EXCL),
          append: !!(flags & OPEN.APPEND),
          mode: modeOf(attrs),
        });
      } else await file.openRead();
      sftp.handle(reqid, newHandle({ kind: 'file', file }));
    }),
  );

  sftp.on('READ', (reqid, handle, offset, length) =>
    serve(reqid, async () => {
      const data = await fileOf(handle).read(offset, Math.min(length, MAX_READ));
      if (data.length) sftp.data(reqid, data);
      else sftp.status(reqid, STATUS.EOF);
    }),
  );

  sftp.on('WRITE', (reqid, handle, offset, data) =>
    serve(reqid, async () => {
      await fileOf(handle).write(offset, data);
      ok(reqid);
    }),
  );

  sftp.on('CLOSE', (reqid, handle) =>
    serve(reqid, async () => {
      const h = handleOf(handle);
      handles.delete(handle.readUInt32BE());
      if (h.kind === 'file') await h.file.close();
      ok(reqid);
    }),
  );

  sftp.on('FSTAT', (reqid, handle) =>
    serve(reqid, async () => {
      const f = fileOf(handle);
      await f.flush();
      sftp.attrs(reqid, toAttrs(await files.posixStat(p, id, f.path)));
    }),
  );
  sftp.on('FSETSTAT', (reqid, handle, attrs) =>
    serve(reqid, async () => {
      const f = fileOf(handle);
      await f.flush();
      await files.setstat(p, id, f.path, toSetStat(attrs));
      ok(reqid);
    }),
  );
  sftp.on('STAT', (reqid, f) =>
    serve(reqid, async () => sftp.attrs(reqid, toAttrs(await files.posixStat(p, id, path(f), true)))),
  );
  sftp.on('LSTAT', (reqid, f) =>
    serve(reqid, async () => sftp.attrs(reqid, toAttrs(await files.posixStat(p, id, path(f), false)))),
  );
  sftp.on('SETSTAT', (reqid, f, attrs) =>
    serve(reqid, async () => {
      await files.setstat(p, id, path(f), toSetStat(attrs));
      ok(reqid);
    }),
  );

  sftp.on('OPENDIR', (reqid, f) =>
    serve(reqid, async () => {
      const dir = path(f);
      const [entries, self, parent] = await Promise.all([
        files.posixList(p, id, dir),
        files.posixStat(p, id, dir),
        files.posixStat(p, id, `${dir}/..`).catch(() => null),
      ]);
      const now = conn.d.clock.now();
      // The dot entries have no names of their own; borrow them from entries with the same ids.
      const owners = new Map(entries.map((e) => [e.stat.uid, e.owner]));
      const groups = new Map(entries.map((e) => [e.stat.gid, e.group]));
      const dots = [{ name: '.', stat: self }, ...(parent ? [{ name: '..', stat: parent }] : [])].map((e) => ({
        ...e,
        owner: owners.get(e.stat.uid) ?? String(e.stat.uid),
        group: groups.get(e.stat.gid) ?? String(e.stat.gid),
      }));
      const names = [...dots, ...entries].map((e) => ({
        filename: e.name,
        longname: longname(e, now),
        attrs: toAttrs(e.stat),
      }));
      sftp.handle(reqid, newHandle({ kind: 'dir', names, at: 0 }));
    }),
  );
  sftp.on('READDIR', (reqid, handle) =>
    serve(reqid, async () => {
      const h = handleOf(handle);
      if (h.kind !== 'dir') throw new AppError('invalid_argument', 'that handle is a file');
      if (h.at >= h.names.length) return void sftp.status(reqid, STATUS.EOF);
      sftp.name(reqid, h.names.slice(h.at, h.at + NAMES_PER_READDIR));
      h.at += NAMES_PER_READDIR;
    }),
  );

  sftp.on('REMOVE', (reqid, f) =>
    serve(reqid, async () => {
      const target = path(f);
      if (isDir((await files.posixStat(p, id, target, false)).mode))
        throw new AppError('invalid_argument', `${target} is a folder; remove it with rmdir`);
      await files.remove(p, id, target, false);
      ok(reqid);
    }),
  );
  sftp.on('RMDIR', (reqid, f) =>
    serve(reqid, async () => {
      const target = path(f);
      if (!isDir((await files.posixStat(p, id, target, false)).mode))
        throw new AppError('invalid_argument', `${target} is not a folder`);
      await files.remove(p, id, target, false);
      ok(reqid);
    }),
  );
  sftp.on('MKDIR', (reqid, f, attrs) =>
    serve(reqid, async () => {
      await files.mkdirExact(p, id, path(f), modeOf(attrs));
      ok(reqid);
    }),
  );
  sftp.on('RENAME', (reqid, from, to) =>
    serve(reqid, async () => {
      await files.move(p, id, path(from), path(to), false);
      ok(reqid);
    }),
  );
  sftp.on('REALPATH', (reqid, f) =>
    serve(reqid, async () => {
      const resolved = await files.realpath(p, id, path(f));
      sftp.name(reqid, [{ filename: resolved, longname: resolved, attrs: {} as Attributes }]);
    }),
  );
  sftp.on('READLINK', (reqid, f) =>
    serve(reqid, async () => {
      const target = await files.readlink(p, id, path(f));
      sftp.name(reqid, [{ filename: target, longname: target, attrs: {} as Attributes }]);
    }),
  );
  sftp.on('SYMLINK', (reqid, linkPath, targetPath) =>
    serve(reqid, async () => {
      await files.symlink(p, id, targetPath, path(linkPath));
      ok(reqid);
    }),
  );

  // The client's EOF ends the session once its last answers are out (as sftp-server exits).
  sftp.once('end', () => {
    clientDone = true;
    if (inFlight === 0) finish(sftp, 0);
  });
  sftp.once('close', () => {
    for (const h of handles.values()) if (h.kind === 'file') h.file.abort();
    handles.clear();
  });
}

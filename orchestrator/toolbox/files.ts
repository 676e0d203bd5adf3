// File operations in a sandbox. Transfers stream end to end.
import type { Readable } from 'node:stream';
import type { FileInfo } from '../../common/wire/daemon.js';
import type { DownloadedFile, FileWriter } from '../../common/wire/runner.js';
import type { PosixEntry, PosixStat, SetStat, WriteOpen } from '../../common/wire/posix-files.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

export class FilesToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  list(p: Principal, id: string, path: string, depth = 1): Promise<FileInfo[]> {
    return this.access.run(p, id, ({ daemon }) => daemon.list(path, depth));
  }
  stat(p: Principal, id: string, path: string): Promise<FileInfo> {
    return this.access.run(p, id, ({ daemon }) => daemon.stat(path));
  }
  mkdir(p: Principal, id: string, path: string, mode?: string): Promise<FileInfo> {
    return this.access.run(p, id, ({ daemon }) => daemon.mkdir(path, mode));
  }
  remove(p: Principal, id: string, path: string, recursive: boolean): Promise<void> {
    return this.access.run(p, id, ({ daemon }) => daemon.remove(path, recursive));
  }
  move(p: Principal, id: string, source: string, destination: string, overwrite = false): Promise<FileInfo> {
    return this.access.run(p, id, ({ daemon }) => daemon.move(source, destination, overwrite));
  }
  upload(p: Principal, id: string, path: string, body: Readable, mode?: string): Promise<FileInfo> {
    return this.access.run(p, id, ({ daemon }) => daemon.upload(path, body, { mode }));
  }
  /** Several uploads in one activity window (bulk upload). */
  session<T>(
    p: Principal,
    id: string,
    f: (
      upload: (path: string, body: Readable) => Promise<FileInfo>,
      download: (path: string) => Promise<DownloadedFile>,
    ) => Promise<T>,
  ): Promise<T> {
    return this.access.run(p, id, ({ daemon }) =>
      f(
        (path, body) => daemon.upload(path, body),
        (path) => daemon.download(path),
      ),
    );
  }
  /** Several downloads in one activity window (bulk download); `end` when the response is done. */
  openDownloads(
    p: Principal,
    id: string,
  ): Promise<{ value: (path: string) => Promise<DownloadedFile>; end: () => void }> {
    return this.access.open(
      p,
      id,
      async ({ daemon }) =>
        (path: string) =>
          daemon.download(path),
    );
  }

  /** Opens a download (from byte `offset` on); `end` must be called when the stream is consumed. */
  download(
    p: Principal,
    id: string,
    path: string,
    offset?: number,
  ): Promise<{ value: DownloadedFile; end: () => void }> {
    return this.access.open(p, id, ({ daemon }) => daemon.download(path, undefined, offset));
  }

  // POSIX semantics, for SFTP (common/wire/posix-files.ts).
  posixStat(p: Principal, id: string, path: string, follow = true): Promise<PosixStat> {
    return this.access.run(p, id, ({ daemon }) => daemon.posixStat(path, follow));
  }
  posixList(p: Principal, id: string, path: string): Promise<PosixEntry[]> {
    return this.access.run(p, id, ({ daemon }) => daemon.posixList(path));
  }
  realpath(p: Principal, id: string, path: string): Promise<string> {
    return this.access.run(p, id, ({ daemon }) => daemon.realpath(path));
  }
  readlink(p: Principal, id: string, path: string): Promise<string> {
    return this.access.run(p, id, ({ daemon }) => daemon.readlink(path));
  }
  symlink(p: Principal, id: string, target: string, path: string): Promise<void> {
    return this.access.run(p, id, ({ daemon }) => daemon.symlink(target, path));
  }
  mkdirExact(p: Principal, id: string, path: string, mode?: string): Promise<void> {
    return this.access.run(p, id, ({ daemon }) => daemon.mkdirExact(path, mode));
  }
  setstat(p: Principal, id: string, path: string, attrs: SetStat): Promise<void> {
    return this.access.run(p, id, ({ daemon }) => daemon.setstat(path, attrs));
  }
  /** Opens a file for writing at an offset; `end` once the writer's `done` settled. */
  openWrite(p: Principal, id: string, path: string, how: WriteOpen): Promise<{ value: FileWriter; end: () => void }> {
    return this.access.open(p, id, ({ daemon }) => daemon.openWrite(path, how));
  }
}

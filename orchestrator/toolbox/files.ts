// File operations in a sandbox. Transfers stream end to end.
import type { Readable } from 'node:stream';
import type { FileInfo } from '../../common/wire/daemon.js';
import type { DownloadedFile } from '../../common/wire/runner.js';
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
  session<T>(p: Principal, id: string, f: (upload: (path: string, body: Readable) => Promise<FileInfo>, download: (path: string) => Promise<DownloadedFile>) => Promise<T>): Promise<T> {
    return this.access.run(p, id, ({ daemon }) => f((path, body) => daemon.upload(path, body), (path) => daemon.download(path)));
  }
  /** Several downloads in one activity window (bulk download); `end` when the response is done. */
  openDownloads(p: Principal, id: string): Promise<{ value: (path: string) => Promise<DownloadedFile>; end: () => void }> {
    return this.access.open(p, id, async ({ daemon }) => (path: string) => daemon.download(path));
  }

  /** Opens a download; `end` must be called when the stream is consumed. */
  download(p: Principal, id: string, path: string): Promise<{ value: DownloadedFile; end: () => void }> {
    return this.access.open(p, id, ({ daemon }) => daemon.download(path));
  }
}

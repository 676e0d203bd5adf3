// File search and bulk edits in a sandbox: find text, search names by glob,
// replace text across files, set owner/group/mode.
import type { FileInfo } from '../../common/wire/daemon.js';
import type { FindMatch, ReplaceRequest, ReplaceResult } from '../../common/wire/toolbox.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

export interface Permissions {
  owner?: string;
  group?: string;
  /** Octal, e.g. "755". */
  mode?: string;
}

export class FileSearchToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  /** Lines containing `pattern` (literal) in text files under `path`. */
  find(p: Principal, id: string, path: string, pattern: string): Promise<FindMatch[]> {
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call<FindMatch[]>('GET', '/files/find', { query: { path, pattern } }),
    );
  }

  /** Paths under `path` whose name (or relative path, if the glob has a `/`) matches. */
  search(p: Principal, id: string, path: string, pattern: string): Promise<{ files: string[] }> {
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call<{ files: string[] }>('GET', '/files/search', { query: { path, pattern } }),
    );
  }

  replace(p: Principal, id: string, req: ReplaceRequest): Promise<ReplaceResult[]> {
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call<ReplaceResult[]>('POST', '/files/replace', { body: req }),
    );
  }

  setPermissions(p: Principal, id: string, path: string, perms: Permissions): Promise<FileInfo> {
    return this.access.run(p, id, ({ daemon }) =>
      daemon.call<FileInfo>('POST', '/files/permissions', { query: { path, ...perms } }),
    );
  }
}

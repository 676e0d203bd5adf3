// The toolbox's one choke point: every toolbox capability (REST, WebSocket,
// MCP) reaches a sandbox through the SandboxDaemon handed out by
// SandboxService.toolbox. Wrapping it here means reads (stat, list, download,
// GET routes) need no permission, while anything that changes the sandbox or
// runs code needs write:sandboxes and is written to the audit log.
import type { Readable } from 'node:stream';
import type { SandboxDaemon } from '../../common/wire/runner.js';
import { AppError } from '../../common/errors.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import { outcomeOf, type AuditLog } from './log.js';

/** `toolbox.<first path segment>`, e.g. toolbox.git, toolbox.process, toolbox.lsp. */
const area = (path: string) => `toolbox.${path.split('/').filter(Boolean)[0] ?? 'call'}`;

export function guardDaemon(daemon: SandboxDaemon, p: Principal, sandboxId: string, audit?: AuditLog): SandboxDaemon {
  const mutate = async <T>(action: string, details: Record<string, unknown>, f: () => Promise<T>): Promise<T> => {
    const record = (code?: string) =>
      audit?.record(p, {
        action,
        target: { type: 'sandbox', id: sandboxId },
        outcome: outcomeOf(code),
        ...(code ? { errorCode: code } : {}),
        details,
      });
    try {
      requirePermission(p, 'write:sandboxes');
    } catch (e) {
      record('forbidden');
      throw e;
    }
    try {
      const r = await f();
      record();
      return r;
    } catch (e) {
      record(e instanceof AppError ? e.code : 'internal');
      throw e;
    }
  };
  return {
    health: () => daemon.health(),
    list: (path, depth) => daemon.list(path, depth),
    stat: (path) => daemon.stat(path),
    download: (path, signal, offset) => daemon.download(path, signal, offset),
    posixStat: (path, follow) => daemon.posixStat(path, follow),
    posixList: (path) => daemon.posixList(path),
    realpath: (path) => daemon.realpath(path),
    readlink: (path) => daemon.readlink(path),
    // Commands are not recorded: they may carry credentials.
    exec: (req, opts) => mutate('toolbox.exec', { ...(req.cwd ? { cwd: req.cwd } : {}) }, () => daemon.exec(req, opts)),
    mkdir: (path, mode) => mutate('toolbox.files.mkdir', { path }, () => daemon.mkdir(path, mode)),
    remove: (path, recursive) =>
      mutate('toolbox.files.delete', { path, recursive }, () => daemon.remove(path, recursive)),
    move: (source, destination, overwrite) =>
      mutate('toolbox.files.move', { source, destination }, () => daemon.move(source, destination, overwrite)),
    upload: (path: string, body: Readable, opts) =>
      mutate('toolbox.files.upload', { path }, () => daemon.upload(path, body, opts)),
    mkdirExact: (path, mode) => mutate('toolbox.files.mkdir', { path }, () => daemon.mkdirExact(path, mode)),
    symlink: (target, path) => mutate('toolbox.files.symlink', { path, target }, () => daemon.symlink(target, path)),
    setstat: (path, attrs) =>
      mutate(
        'toolbox.files.setstat',
        {
          path,
          ...(attrs.mode !== undefined ? { mode: attrs.mode.toString(8) } : {}),
          ...(attrs.size !== undefined ? { size: attrs.size } : {}),
        },
        () => daemon.setstat(path, attrs),
      ),
    // One entry per opened write (an SFTP upload is one), never per chunk.
    openWrite: (path, how, signal) =>
      mutate(
        'toolbox.files.write',
        { path, ...(how.offset ? { offset: how.offset } : {}), ...(how.truncate ? { truncate: true } : {}) },
        () => daemon.openWrite(path, how, signal),
      ),
    // A tunnel reaches whatever the sandbox serves, which may run code: write access, like exec;
    // not audited per connection (the frontends record logins and their own actions).
    tunnel: (target, signal) => {
      requirePermission(p, 'write:sandboxes');
      return daemon.tunnel(target, signal);
    },
    open: (method, path, opts) =>
      method === 'GET'
        ? daemon.open(method, path, opts)
        : mutate(area(path), { method, path }, () => daemon.open(method, path, opts)),
    call: <T>(method: string, path: string, opts?: Parameters<SandboxDaemon['call']>[2]) =>
      method === 'GET'
        ? daemon.call<T>(method, path, opts)
        : mutate(area(path), { method, path }, () => daemon.call<T>(method, path, opts)),
  };
}

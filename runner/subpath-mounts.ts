// Mounting one folder of a volume (`subpath`) into a sandbox. The engine here
// (Docker < 26) can only bind a host path, and the folders of a volume are
// written by sandboxes: binding `<volume>/<subpath>` directly would let a
// sandbox that mounts the volume swap a folder for a symlink and get any host
// path mounted. So the runner binds the folder onto a runner-owned staging
// point, then proves the bound folder is the one inside the volume (same
// device and inode as a symlink-free walk from the volume root; folders have
// one parent and sandboxes cannot move folders across mounts), and hands the
// engine only the staging point. The staging mount is dropped right after the
// container starts (the container keeps its own copy of the mount), so no
// bind mount stays behind for a recursive delete of BERTH_HOME to descend into.
import { execFile } from 'node:child_process';
import { lchown, lstat, mkdir, readdir, readFile, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { VOLUME_SUBPATH_RE } from '../common/wire/runner.js';

const run = promisify(execFile);

export class SubpathMounts {
  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  /** Where the subpath mount `index` of a sandbox is staged. */
  target(sandboxId: string, index: number): string {
    return join(this.dir, sandboxId, String(index));
  }

  /** Binds `<volumeRoot>/<subpath>` (created if missing) onto the staging point and verifies it. */
  async stage(sandboxId: string, index: number, volumeRoot: string, subpath: string): Promise<string> {
    if (!VOLUME_SUBPATH_RE.test(subpath))
      throw new AppError(
        'invalid_argument',
        `volume subpath ${JSON.stringify(subpath)} is not a plain relative folder path`,
        { hint: 'use folder names separated by "/", e.g. users/alice' },
      );
    const folder = await this.walk(volumeRoot, subpath, true);
    const target = this.target(sandboxId, index);
    await this.unmount(target);
    await mkdir(target, { recursive: true, mode: 0o700 });
    try {
      await run('mount', ['--bind', folder.path, target]);
    } catch (e) {
      throw new AppError(
        'failed_precondition',
        `cannot mount volume subpath ${subpath}: ${(e as Error).message.split('\n')[0]}`,
        {
          hint: 'subpath mounts need Berth to run as root with permission to mount (on the Docker host); mount the whole volume instead',
        },
      );
    }
    const bound = await stat(target);
    const again = await this.walk(volumeRoot, subpath, false).catch(() => null);
    if (
      !again ||
      bound.dev !== folder.dev ||
      bound.ino !== folder.ino ||
      again.ino !== folder.ino ||
      again.dev !== folder.dev
    ) {
      await this.unmount(target);
      throw new AppError('failed_precondition', `volume subpath ${subpath} changed while it was being mounted`, {
        hint: 'another sandbox is modifying that folder; retry',
      });
    }
    return target;
  }

  /** Removes every staging mount of a sandbox (never deletes through a mount). */
  async release(sandboxId: string): Promise<void> {
    const base = join(this.dir, sandboxId);
    const entries = await readdir(base).catch(() => [] as string[]);
    for (const e of entries) {
      const t = join(base, e);
      await this.unmount(t);
      await rmdir(t).catch((err) =>
        this.log.warn('staging folder not removed', { path: t, error: (err as Error).message }),
      );
    }
    await rmdir(base).catch(() => {});
  }

  /** At start-up and shutdown: drops staging mounts a crash may have left. */
  async releaseAll(): Promise<void> {
    for (const id of await readdir(this.dir).catch(() => [] as string[])) await this.release(id);
  }

  private async unmount(target: string): Promise<void> {
    // `umount` on a plain folder fails harmlessly; repeat for stacked mounts.
    for (let i = 0; i < 8; i++) {
      if (!(await isMountPoint(target))) return;
      await run('umount', [target]).catch(() => run('umount', ['-l', target]));
    }
  }

  /** Walks from the volume root without following symlinks, creating missing folders as the root's owner. */
  private async walk(
    volumeRoot: string,
    subpath: string,
    create: boolean,
  ): Promise<{ path: string; dev: number; ino: number }> {
    const root = await lstat(volumeRoot);
    if (!root.isDirectory()) throw new AppError('internal', `volume root ${volumeRoot} is not a folder`);
    let path = volumeRoot;
    let st = root;
    for (const part of subpath.split('/')) {
      path = join(path, part);
      let cur = await lstat(path).catch(() => null);
      if (!cur && create) {
        await mkdir(path, { mode: 0o755 }).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        });
        await lchown(path, root.uid, root.gid);
        cur = await lstat(path);
      }
      if (!cur) throw new AppError('not_found', `volume subpath ${subpath} does not exist`);
      if (cur.isSymbolicLink() || !cur.isDirectory()) {
        throw new AppError(
          'failed_precondition',
          `volume subpath ${subpath} is not a folder (a file or symlink is in the way at ${part})`,
          { hint: 'remove it from the volume, or mount another subpath' },
        );
      }
      st = cur;
    }
    return { path, dev: st.dev, ino: st.ino };
  }
}

async function isMountPoint(path: string): Promise<boolean> {
  const [a, b] = await Promise.all([lstat(path).catch(() => null), lstat(join(path, '..')).catch(() => null)]);
  if (!a || !b) return false;
  // A bind mount of a folder of the same filesystem keeps the device: compare with mountinfo then.
  if (a.dev !== b.dev) return true;
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const esc = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return info.split('\n').some((l) => l.split(' ')[4] === esc);
}

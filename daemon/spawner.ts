// Every process the daemon starts goes through here so the reaper knows which
// pids libuv will wait for itself (reaping those would lose their exit codes).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Native } from './native.js';
import { NativeSpawn, type PipedChild } from './native-child.js';

export class Spawner {
  private readonly owned = new Set<number>();
  private readonly exitListeners = new Set<() => void>();
  private readonly fast: NativeSpawn | null;
  readonly kind: 'posix_spawn' | 'node';

  constructor(native: Native | null = null) {
    this.fast = native ? new NativeSpawn(native) : null;
    this.kind = this.fast ? 'posix_spawn' : 'node';
  }

  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
    const child = spawn(command, args, options);
    this.own(child.pid, child);
    return child;
  }

  /**
   * A command with three pipes (and fd 3 both ways, if asked) in its own session:
   * through posix_spawn when the addon has it (no fork of the daemon), else
   * through Node. Throws when the command cannot start.
   */
  spawnPiped(
    command: string,
    args: string[],
    options: { cwd: string; env: Record<string, string>; fd3?: boolean; argv0?: string },
  ): PipedChild {
    const { cwd, env, fd3 = false, argv0 } = options;
    if (!this.fast)
      return this.spawn(command, args, {
        cwd,
        env,
        argv0,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe', ...(fd3 ? ['pipe' as const] : [])],
      });
    const child = this.fast.spawn(command, args, cwd, env, fd3, argv0);
    this.own(child.pid);
    child.once('exit', () => this.release(child.pid));
    return child;
  }

  /** Records a pid spawned by other means (e.g. a PTY) until `release`. */
  own(pid: number | undefined, child?: ChildProcess): void {
    if (!pid) return;
    this.owned.add(pid);
    child?.once('exit', () => this.release(pid));
  }

  release(pid: number): void {
    this.owned.delete(pid);
    for (const l of this.exitListeners) l();
  }

  isOwned(pid: number): boolean {
    return this.owned.has(pid);
  }

  onChildExit(listener: () => void): void {
    this.exitListeners.add(listener);
  }
}

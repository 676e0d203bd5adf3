// Every process the daemon starts goes through here so the reaper knows which
// pids libuv will wait for itself (reaping those would lose their exit codes).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export class Spawner {
  private readonly owned = new Set<number>();
  private readonly exitListeners = new Set<() => void>();

  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
    const child = spawn(command, args, options);
    this.own(child.pid, child);
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

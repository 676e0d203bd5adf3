import type { PathContext } from './paths.js';
import type { Spawner } from './spawner.js';

export interface DaemonContext {
  sandboxId: string;
  version: string;
  paths: PathContext;
  spawner: Spawner;
  /** Environment every new process starts from (image env + sandbox env, daemon secrets removed). */
  env: Record<string, string>;
  user: { uid: number; gid: number; name: string };
  shell: string;
  startedAt: number;
  /** Folder holding daemon.js, node and its libraries (read-only). */
  bundleDir: string;
  maxOutputBytes: number;
}

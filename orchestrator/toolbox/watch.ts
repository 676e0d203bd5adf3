// Change notification for a file or folder (MCP resource subscriptions). The
// daemon has no watch API, so this polls stat; polling is not user activity,
// so a watched sandbox still auto-stops when nobody uses it.
import type { SandboxDaemon } from '../../common/wire/runner.js';
import type { Principal } from '../principal.js';
import type { SandboxService } from '../sandboxes/service.js';

export class FileWatch {
  constructor(
    private readonly sandboxes: SandboxService,
    private readonly daemonOf: (sandboxId: string) => SandboxDaemon,
  ) {}

  /** Calls `onChange` when the path appears, disappears or its size/mtime changes. Returns a stop function. */
  watch(
    p: Principal,
    sandboxId: string,
    path: string,
    onChange: () => void,
    o: { intervalMs?: number } = {},
  ): () => void {
    let last: string | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = async () => {
      try {
        const s = await this.sandboxes.get(p, sandboxId);
        if (s.state !== 'started') return;
        const sig = await this.daemonOf(s.id)
          .stat(path)
          .then((f) => `${f.isDir ? 'd' : 'f'}:${f.size}:${f.modTime}`)
          .catch((e: { code?: string }) => (e?.code === 'not_found' ? 'missing' : undefined));
        if (sig === undefined) return;
        if (last !== undefined && sig !== last && !stopped) onChange();
        last = sig;
      } catch {
        /* sandbox gone or unreachable: keep polling until unsubscribed */
      } finally {
        // eslint-disable-next-line no-restricted-globals -- wall clock: polls the sandbox's file system through its daemon
        if (!stopped) timer = setTimeout(() => void poll(), o.intervalMs ?? 2000).unref();
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }
}

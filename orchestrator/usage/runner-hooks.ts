// Observes what the runner actually does to sandboxes (started, stopped,
// archived, destroyed, resized) without changing the reconciler: the
// orchestrator hands the reconciler a runner wrapped with these hooks. Usage
// is recorded and secrets are injected here, once per real transition, on
// the one replica that holds the sandbox's lock. A failing hook is logged and
// never fails the lifecycle step it observes.
import type { Logger } from '../../common/log.js';
import type { ResourceLimits, RunnerClient, SandboxRuntimeSpec } from '../../common/wire/runner.js';

export type StopKind = 'stopped' | 'archived' | 'destroyed';

export interface RunnerHooks {
  started?(spec: SandboxRuntimeSpec): Promise<void>;
  stopped?(sandboxId: string, kind: StopKind): Promise<void>;
  resized?(sandboxId: string, limits: ResourceLimits): Promise<void>;
}

export function hookRunner(runner: RunnerClient, hooks: RunnerHooks[], log: Logger): RunnerClient {
  const each = async (what: string, sandboxId: string, f: (h: RunnerHooks) => Promise<void> | undefined) => {
    for (const h of hooks) {
      try {
        await f(h);
      } catch (e) {
        log.error(`runner hook failed after ${what}`, { sandboxId, error: (e as Error).message });
      }
    }
  };
  const after = (kind: StopKind, f: (id: string) => Promise<void>) => async (id: string) => {
    await f(id);
    await each(kind, id, (h) => h.stopped?.(id, kind));
  };
  const wrapped: Partial<RunnerClient> = {
    ensureStarted: async (spec) => {
      await runner.ensureStarted(spec);
      await each('start', spec.sandboxId, (h) => h.started?.(spec));
    },
    ensureStopped: after('stopped', (id) => runner.ensureStopped(id)),
    ensureArchived: after('archived', (id) => runner.ensureArchived(id)),
    ensureDestroyed: after('destroyed', (id) => runner.ensureDestroyed(id)),
    resize: async (id, limits) => {
      await runner.resize(id, limits);
      await each('resize', id, (h) => h.resized?.(id, limits));
    },
  };
  return new Proxy(runner, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in wrapped) return (wrapped as Record<string, unknown>)[prop];
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

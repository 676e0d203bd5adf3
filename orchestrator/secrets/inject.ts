// Secrets reach a sandbox as environment variables of the processes the
// daemon starts (exec, sessions, terminals, code-run): after every start the
// daemon's environment gets them, and changing a running sandbox's secrets
// applies at once (new processes see the change). They are never in the
// sandbox's stored env, its DTO or the container's configuration, so neither
// the API nor `docker inspect` shows them. The image's own entrypoint starts
// before the daemon receives them and does not see them.
import { AppError } from '../../common/errors.js';
import type { SandboxDaemon, SandboxRuntimeSpec } from '../../common/wire/runner.js';
import type { Store } from '../store/db.js';
import { SandboxRepo } from '../sandboxes/repo.js';
import type { Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';
import type { Sandbox } from '../sandboxes/model.js';
import type { RunnerHooks } from '../usage/runner-hooks.js';
import type { SecretRef, SecretService } from './service.js';

export interface SecretInjectorDeps {
  store: Store;
  secrets: SecretService;
  daemonOf: (sandboxId: string) => SandboxDaemon;
  sandboxes: { get(p: Principal, idOrName: string): Promise<Sandbox> };
}

export class SecretInjector implements RunnerHooks {
  private readonly repo: SandboxRepo;

  constructor(private readonly d: SecretInjectorDeps) {
    this.repo = new SandboxRepo(d.store);
  }

  async refsOf(sandboxId: string): Promise<SecretRef[]> {
    return this.repo.secretRefs(sandboxId);
  }

  async started(spec: SandboxRuntimeSpec): Promise<void> {
    const refs = await this.refsOf(spec.sandboxId);
    if (!refs.length) return;
    const set = await this.d.secrets.values(spec.organizationId, refs);
    await this.d.daemonOf(spec.sandboxId).call('POST', '/env', { body: { set } });
  }

  /** PUT /sandbox/{id}/secrets: replaces the sandbox's secrets; a started sandbox gets them now. */
  async update(p: Principal, idOrName: string, raw: unknown): Promise<Sandbox> {
    requirePermission(p, 'write:sandboxes');
    const s = await this.d.sandboxes.get(p, idOrName);
    if (s.desiredState === 'destroyed')
      throw new AppError('failed_precondition', `sandbox ${s.name} is being deleted`, { hint: 'create a new sandbox' });
    const refs = await this.d.secrets.refs(p, raw);
    const old = await this.refsOf(s.id);
    await this.repo.setSecretRefs(s.id, refs);
    if (s.state === 'started') {
      const set = await this.d.secrets.values(s.organizationId, refs);
      const unset = old.map((r) => r.env).filter((e) => !(e in set));
      await this.d.daemonOf(s.id).call('POST', '/env', { body: { set, unset } });
    }
    return this.d.sandboxes.get(p, s.id);
  }
}

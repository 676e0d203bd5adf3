// The one read of sandbox_access (the preview service's table) the facade
// needs: which organization a sandbox with signed-URL access belongs to.
import type { Store } from './store/db.js';

export class SandboxAccessRepo {
  constructor(private readonly store: Store) {}

  async organizationOf(sandboxId: string): Promise<string | undefined> {
    const r = (await this.store.knex('sandbox_access').where({ sandbox_id: sandboxId }).first()) as
      { organization_id?: string } | undefined;
    return r?.organization_id;
  }
}

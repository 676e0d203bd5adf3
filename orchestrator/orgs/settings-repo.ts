// The organization_settings row: quota overrides and defaults for new
// sandboxes. One row per organization, created on first write.
import type { Store } from '../store/db.js';

export interface OrganizationSettingsRow {
  organization_id: string;
  max_sandboxes: number | null;
  max_cpu: number | null;
  max_memory: number | null;
  max_disk: number | null;
  max_snapshots: number | null;
  max_volumes: number | null;
  max_lifetime_minutes: number | null;
  default_network_block_all: boolean | number | null;
  default_network_allow_list: string | null;
  default_domain_allow_list: string | null;
  default_runtime: string | null;
  default_auto_start_on_request: boolean | number | null;
  updated_at: number;
}

export class OrganizationSettingsRepo {
  constructor(private readonly store: Store) {}

  async get(organizationId: string): Promise<OrganizationSettingsRow | undefined> {
    return this.store
      .knex<OrganizationSettingsRow>('organization_settings')
      .where({ organization_id: organizationId })
      .first();
  }

  /** Writes the given columns, creating the row if needed. */
  async patch(organizationId: string, fields: Partial<OrganizationSettingsRow>, now: number): Promise<void> {
    await this.store.knex.transaction(async (trx) => {
      const n = await trx('organization_settings')
        .where({ organization_id: organizationId })
        .update({ ...fields, updated_at: now });
      if (!n)
        await trx('organization_settings').insert({ organization_id: organizationId, ...fields, updated_at: now });
    });
  }

  /** Every organization with a lifetime limit set (for the lifetime sweep). */
  async withLifetime(): Promise<{ organization_id: string; max_lifetime_minutes: number }[]> {
    return this.store
      .knex('organization_settings')
      .whereNotNull('max_lifetime_minutes')
      .select('organization_id', 'max_lifetime_minutes');
  }
}

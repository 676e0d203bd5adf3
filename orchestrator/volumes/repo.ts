// Store access for volumes; every query is scoped by organization.
import type { Store } from '../store/db.js';
import { toVolume, type Volume, type VolumeRow } from './model.js';

export class VolumeRepo {
  constructor(private readonly store: Store) {}

  private get t() {
    return this.store.knex<VolumeRow>('volumes');
  }

  async list(organizationId: string): Promise<Volume[]> {
    return (
      await this.t
        .where('organization_id', organizationId)
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
    ).map(toVolume);
  }

  async get(organizationId: string, id: string): Promise<Volume | null> {
    const row = await this.t.where({ organization_id: organizationId, id }).first();
    return row ? toVolume(row) : null;
  }

  async byName(organizationId: string, name: string): Promise<Volume | null> {
    const row = await this.t.where({ organization_id: organizationId, name }).first();
    return row ? toVolume(row) : null;
  }

  async insert(row: VolumeRow): Promise<void> {
    await this.t.insert(row);
  }

  async patch(id: string, fields: Partial<VolumeRow>): Promise<void> {
    await this.t.where({ id }).update(fields);
  }

  async remove(id: string): Promise<void> {
    await this.t.where({ id }).delete();
  }

  async count(organizationId: string): Promise<number> {
    const r = (await this.t.where('organization_id', organizationId).count({ n: '*' }).first()) as
      { n: number | string } | undefined;
    return Number(r?.n ?? 0);
  }
}

// Store access for an organization's Docker registries (docker_registries);
// every query is scoped by organization. Passwords stay sealed here.
import type { Knex } from 'knex';
import type { Store } from '../store/db.js';
import type { DockerRegistry } from './registries.js';

export interface RegistryRow {
  id: string;
  organization_id: string;
  name: string;
  url: string;
  username: string;
  password: string;
  project: string | null;
  registry_type: string;
  is_default: boolean | number;
  created_at: number | string;
  updated_at: number | string;
}

/** What a pull or build needs of a registry; `password` is sealed with `registry:{id}`. */
export type SealedCredentials = Pick<RegistryRow, 'id' | 'url' | 'username' | 'password'>;

const toRegistry = (r: RegistryRow): DockerRegistry => ({
  id: r.id,
  organizationId: r.organization_id,
  name: r.name,
  url: r.url,
  username: r.username,
  project: r.project ?? '',
  registryType: 'organization',
  isDefault: !!r.is_default,
  createdAt: new Date(Number(r.created_at)),
  updatedAt: new Date(Number(r.updated_at)),
});

const sealed = (r: RegistryRow): SealedCredentials => ({
  id: r.id,
  url: r.url,
  username: r.username,
  password: r.password,
});

export class RegistryRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<RegistryRow> {
    return this.store.knex<RegistryRow>('docker_registries');
  }

  async list(organizationId: string): Promise<DockerRegistry[]> {
    return (await this.t.where({ organization_id: organizationId }).orderBy('name')).map(toRegistry);
  }

  /** The organization's registry with this id or name. */
  async find(organizationId: string, idOrName: string): Promise<DockerRegistry | null> {
    const r = await this.t
      .where({ organization_id: organizationId })
      .andWhere((q) => q.where('id', idOrName).orWhere('name', idOrName))
      .first();
    return r ? toRegistry(r) : null;
  }

  /** Inserts the row; its registry as callers see it. */
  async insert(row: RegistryRow): Promise<DockerRegistry> {
    await this.t.insert(row);
    return toRegistry(row);
  }

  async patch(id: string, fields: Partial<RegistryRow>): Promise<void> {
    await this.t.where({ id }).update(fields);
  }

  async remove(id: string): Promise<void> {
    await this.t.where({ id }).delete();
  }

  /** The organization's registry at `host`, the default one first. */
  async forHost(organizationId: string, host: string): Promise<SealedCredentials | null> {
    const r = await this.t.where({ organization_id: organizationId, url: host }).orderBy('is_default', 'desc').first();
    return r ? sealed(r) : null;
  }

  async allOf(organizationId: string): Promise<SealedCredentials[]> {
    return (await this.t.where({ organization_id: organizationId })).map(sealed);
  }
}

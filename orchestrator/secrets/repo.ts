// Store access for secrets (values sealed by SecretBox); every query is scoped
// by organization. Rows are decoded here: hosts is JSON text in the store.
import type { Store } from '../store/db.js';

export interface SecretRow {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  value_enc: string;
  hosts: string[];
  created_at: number;
  updated_at: number;
}

export interface SecretPage {
  rows: SecretRow[];
  total: number;
}

const decode = (r: Record<string, unknown>): SecretRow => ({
  ...(r as unknown as SecretRow),
  hosts: r.hosts ? (JSON.parse(String(r.hosts)) as string[]) : [],
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

export class SecretRepo {
  constructor(private readonly store: Store) {}

  private get t() {
    return this.store.knex('secrets');
  }

  /** Stores a secret; `hosts` null is stored as no list at all. */
  async insert(row: Omit<SecretRow, 'hosts'> & { hosts: string[] | null }): Promise<void> {
    await this.t.insert({ ...row, hosts: row.hosts ? JSON.stringify(row.hosts) : null });
  }

  async byName(organizationId: string, name: string): Promise<SecretRow | undefined> {
    const r = await this.t.where({ organization_id: organizationId, name }).first();
    return r ? decode(r) : undefined;
  }

  async byIdOrName(organizationId: string, idOrName: string): Promise<SecretRow | undefined> {
    const r = await this.t
      .where('organization_id', organizationId)
      .andWhere((q) => q.where('id', idOrName).orWhere('name', idOrName))
      .first();
    return r ? decode(r) : undefined;
  }

  async byIds(organizationId: string, ids: string[]): Promise<SecretRow[]> {
    return (
      (await this.t.where('organization_id', organizationId).whereIn('id', ids)) as Record<string, unknown>[]
    ).map(decode);
  }

  /** One page by name, after `after` in `order`, with the total of those matching `nameLike`. */
  async page(
    organizationId: string,
    q: { nameLike?: string; after?: string; order: 'asc' | 'desc'; limit: number },
  ): Promise<SecretPage> {
    const base = this.t.where('organization_id', organizationId);
    if (q.nameLike) base.whereRaw("name like ? escape '\\'", [`%${q.nameLike.replace(/[%_\\]/g, (c) => '\\' + c)}%`]);
    const total = Number(((await base.clone().count({ n: '*' }).first()) as { n?: unknown } | undefined)?.n ?? 0);
    const page = base.clone();
    if (q.after !== undefined) page.where('name', q.order === 'asc' ? '>' : '<', q.after);
    const rows = (await page.orderBy('name', q.order).limit(q.limit)) as Record<string, unknown>[];
    return { rows: rows.map(decode), total };
  }

  async patch(
    id: string,
    fields: { updated_at: number; value_enc?: string; description?: string; hosts?: string[] },
  ): Promise<void> {
    const { hosts, ...rest } = fields;
    await this.t.where({ id }).update({ ...rest, ...(hosts !== undefined ? { hosts: JSON.stringify(hosts) } : {}) });
  }

  async remove(id: string): Promise<void> {
    await this.t.where({ id }).delete();
  }
}

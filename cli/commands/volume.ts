// `berth volume …`: the organization's volumes.
import { ApiClient, resolveSettings } from '../client.js';
import { print, table } from '../output.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string };
const client = (f: Flags) => new ApiClient(resolveSettings(f));
const COLUMNS = ['id', 'name', 'state', 'createdAt', 'lastUsedAt'];

export async function list(f: Flags): Promise<void> {
  const items = await client(f).request<Record<string, unknown>[]>('GET', '/volumes');
  print(items, !!f.json, () => table(items, COLUMNS));
}

export async function create(name: string, f: Flags): Promise<void> {
  const v = await client(f).request<Record<string, unknown>>('POST', '/volumes', { name });
  print(v, !!f.json, () => table([v], COLUMNS));
}

export async function remove(name: string, f: Flags): Promise<void> {
  const c = client(f);
  const v = await c
    .request<{ id: string; name: string }>('GET', `/volumes/by-name/${encodeURIComponent(name)}`)
    .catch(() => ({ id: name, name }));
  await c.request('DELETE', `/volumes/${encodeURIComponent(v.id)}`);
  process.stdout.write(`deleted volume ${v.name}\n`);
}

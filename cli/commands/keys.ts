// `berth keys …`: API keys of the current user in the current organization.
import { ApiClient, resolveSettings } from '../client.js';
import { print, table } from '../output.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string };
const client = (f: Flags) => new ApiClient(resolveSettings(f));
const list_ = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export async function list(f: Flags): Promise<void> {
  const keys = await client(f).request<Record<string, unknown>[]>('GET', '/api-keys', undefined, {
    all: f.all ? 'true' : undefined,
  });
  print(keys, !!f.json, () =>
    table(
      keys.map((k) => ({ ...k, permissions: (k.permissions as string[]).join(',') || '(read-only)' })),
      ['name', 'value', 'permissions', 'lastUsedAt', 'expiresAt'],
    ),
  );
}

export async function create(name: string, f: Flags): Promise<void> {
  const permissions = list_(f.permission)
    .flatMap((p) => p.split(','))
    .filter(Boolean);
  const k = await client(f).request<Record<string, unknown>>('POST', '/api-keys', {
    name,
    permissions,
    ...(f.expires ? { expiresAt: String(f.expires) } : {}),
  });
  print(
    k,
    !!f.json,
    () => `created key ${name} (${permissions.join(', ') || 'read-only'}); shown once:\n  ${String(k.value)}\n`,
  );
}

export async function revoke(name: string, f: Flags): Promise<void> {
  await client(f).request('DELETE', `/api-keys/${encodeURIComponent(name)}`);
  process.stdout.write(`revoked key ${name}\n`);
}

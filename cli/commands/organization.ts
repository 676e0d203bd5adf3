// `berth organization …`: list, create and switch organizations, invite and
// list members, accept an invitation, show usage and (administrators) quotas.
import { AppError } from '../../common/errors.js';
import { readCliConfig, writeCliConfig } from '../../boot/cli-config.js';
import { ApiClient, resolveSettings } from '../client.js';
import { print, table } from '../output.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string; org?: string };
type Org = { id: string; name: string; personal: boolean; role: string };

const client = (f: Flags) => new ApiClient(resolveSettings(f));

/** The organization a command acts in: --org, else the one `organization use` chose, else the key's own. */
async function currentOrg(f: Flags): Promise<string> {
  if (typeof f.org === 'string' && f.org) return resolveOrg(f, f.org);
  const s = resolveSettings(f);
  if (s.organizationId) return s.organizationId;
  return (await client(f).request<{ organizationId: string }>('GET', '/api-keys/current')).organizationId;
}

async function resolveOrg(f: Flags, idOrName: string): Promise<string> {
  const orgs = await client(f).request<Org[]>('GET', '/organizations');
  const hit = orgs.find((o) => o.id === idOrName) ?? orgs.filter((o) => o.name === idOrName)[0];
  if (!hit)
    throw new AppError('not_found', `organization ${idOrName} not found`, {
      hint: 'list yours with `berth organization list`',
    });
  if (orgs.filter((o) => o.name === idOrName).length > 1 && hit.id !== idOrName)
    throw new AppError('invalid_argument', `several organizations are named ${idOrName}`, { hint: 'use the id' });
  return hit.id;
}

export async function list(f: Flags): Promise<void> {
  const orgs = await client(f).request<Org[]>('GET', '/organizations', undefined, { all: f.all ? 'true' : undefined });
  const cur = resolveSettings(f).organizationId;
  const rows = orgs.map((o) => ({ ...o, current: o.id === cur ? '*' : '' }));
  print(orgs, !!f.json, () => table(rows, ['current', 'id', 'name', 'role', 'personal']));
}

export async function create(name: string, f: Flags): Promise<void> {
  const o = await client(f).request<Org>('POST', '/organizations', { name });
  print(o, !!f.json, () => table([o], ['id', 'name', 'role']) + `switch to it with: berth organization use ${o.id}\n`);
}

/** Makes later commands act in this organization (sent as X-Daytona-Organization-ID). */
export async function use(idOrName: string, f: Flags): Promise<void> {
  const cfg = readCliConfig();
  if (idOrName === 'default') {
    writeCliConfig({ ...cfg, organizationId: undefined });
    process.stdout.write("now using the API key's own organization\n");
    return;
  }
  const id = await resolveOrg(f, idOrName);
  writeCliConfig({ ...cfg, organizationId: id });
  process.stdout.write(`now using organization ${id}\n`);
}

export async function invite(email: string, f: Flags): Promise<void> {
  const org = await currentOrg(f);
  const i = await client(f).request<Record<string, unknown>>(
    'POST',
    `/organizations/${encodeURIComponent(org)}/invitations`,
    { email, role: (f.role as string | undefined) ?? 'member' },
  );
  print(
    i,
    !!f.json,
    () =>
      `invited ${String(i.email)} as ${String(i.role)} (expires ${String(i.expiresAt)})\nsend them this one-time link (shown once; also in the server log):\n  ${String(i.link)}\nthey accept with: berth organization accept ${String(i.token)}\n`,
  );
}

export async function members(f: Flags): Promise<void> {
  const org = await currentOrg(f);
  const m = await client(f).request<Record<string, unknown>[]>(
    'GET',
    `/organizations/${encodeURIComponent(org)}/users`,
  );
  print(m, !!f.json, () => table(m, ['userId', 'email', 'name', 'role', 'createdAt']));
}

export async function accept(token: string, f: Flags): Promise<void> {
  const r = await new ApiClient({ apiUrl: resolveSettings(f).apiUrl }).request<{
    organizationId: string;
    userId: string;
    role: string;
    apiKey: string;
  }>('POST', '/invitations/accept', { token });
  if (f.save)
    writeCliConfig({
      ...readCliConfig(),
      apiUrl: resolveSettings(f).apiUrl,
      apiKey: r.apiKey,
      organizationId: undefined,
    });
  print(
    r,
    !!f.json,
    () =>
      `joined organization ${r.organizationId} as ${r.role}\nyour API key (shown once${f.save ? '; saved in the CLI config' : ''}):\n  ${r.apiKey}\n`,
  );
}

export async function usage(f: Flags): Promise<void> {
  const org = await currentOrg(f);
  const u = await client(f).request<{
    quotas: Record<string, number>;
    used: Record<string, number>;
    sandboxes: Record<string, unknown>[];
    totals: Record<string, number>;
  }>('GET', `/organizations/${encodeURIComponent(org)}/usage`);
  print(u, !!f.json, () => {
    const rows = Object.keys(u.quotas).map((k) => ({
      quota: k,
      used: u.used[k] ?? '',
      limit: u.quotas[k] === -1 ? 'unlimited' : u.quotas[k],
    }));
    return (
      table(rows, ['quota', 'used', 'limit']) +
      '\n' +
      table(u.sandboxes, ['sandboxId', 'name', 'running', 'cpuMinutes', 'memoryGiBMinutes', 'diskGiBMinutes'])
    );
  });
}

const QUOTA_FLAGS: Record<string, string> = {
  sandboxes: 'sandboxes',
  cpu: 'cpu',
  memory: 'memoryGiB',
  disk: 'diskGiB',
  snapshots: 'snapshots',
  volumes: 'volumes',
  lifetime: 'lifetimeMinutes',
};

/** Shows the quotas; with any quota flag, changes them (Berth administrators; `default` restores the server default). */
export async function quota(f: Flags): Promise<void> {
  const org = await currentOrg(f);
  const patch: Record<string, number | null> = {};
  for (const [flag, name] of Object.entries(QUOTA_FLAGS)) {
    const v = f[flag];
    if (v === undefined) continue;
    if (v === 'default') patch[name] = null;
    else if (v === 'unlimited') patch[name] = -1;
    else if (Number.isFinite(Number(v))) patch[name] = Number(v);
    else throw new AppError('invalid_argument', `--${flag} must be a number, unlimited or default`);
  }
  const path = `/organizations/${encodeURIComponent(org)}/quotas`;
  const q = Object.keys(patch).length
    ? await client(f).request<{ quotas: Record<string, number>; used: Record<string, number>; overridden: string[] }>(
        'PUT',
        path,
        patch,
      )
    : await client(f).request<{ quotas: Record<string, number>; used: Record<string, number>; overridden: string[] }>(
        'GET',
        path,
      );
  print(q, !!f.json, () =>
    table(
      Object.entries(q.quotas).map(([k, v]) => ({
        quota: k,
        limit: v === -1 ? 'unlimited' : v,
        used: q.used[k] ?? '',
        source: q.overridden.includes(k) ? 'organization' : 'server default',
      })),
      ['quota', 'limit', 'used', 'source'],
    ),
  );
}

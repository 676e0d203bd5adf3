// `berth registry …`: the organization's private Docker registries. The
// password comes from --password-stdin or BERTH_REGISTRY_PASSWORD, never from
// the command line (it would land in shell history and `ps`).
import { AppError } from '../../common/errors.js';
import { ApiClient, resolveSettings } from '../client.js';
import { print, table } from '../output.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string };
const client = (f: Flags) => new ApiClient(resolveSettings(f));

async function readStdin(): Promise<string> {
  let s = '';
  for await (const c of process.stdin) s += String(c);
  return s.replace(/\r?\n$/, '');
}

export async function add(name: string, f: Flags): Promise<void> {
  if (!f.url || !f.username)
    throw new AppError('invalid_argument', '--url and --username are required', {
      hint: 'echo "$PASSWORD" | berth registry add team --url registry.example.com:5000 --username ci --password-stdin',
    });
  const password = f['password-stdin'] ? await readStdin() : process.env.BERTH_REGISTRY_PASSWORD || '';
  if (!password)
    throw new AppError('invalid_argument', 'no password given', {
      hint: 'pipe it with --password-stdin, or set BERTH_REGISTRY_PASSWORD',
    });
  const r = await client(f).request<Record<string, unknown>>('POST', '/docker-registry', {
    name,
    url: String(f.url),
    username: String(f.username),
    password,
    ...(f.project ? { project: String(f.project) } : {}),
  });
  print(r, !!f.json, () => `added registry ${name} (${String(r.url)})\n`);
}

export async function list(f: Flags): Promise<void> {
  const items = await client(f).request<Record<string, unknown>[]>('GET', '/docker-registry');
  print(items, !!f.json, () => table(items, ['name', 'url', 'username', 'project', 'createdAt']));
}

export async function remove(name: string, f: Flags): Promise<void> {
  await client(f).request('DELETE', `/docker-registry/${encodeURIComponent(name)}`);
  process.stdout.write(`removed registry ${name}\n`);
}

// `berth runner token …`, `berth runner drain|enable`: remote runners, for
// Berth administrators. A runner is named by its id or its name.
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../common/errors.js';
import { ApiClient, resolveSettings } from '../client.js';
import { keyValues, print, table } from '../output.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string };
type Migration = { state: 'moving' | 'done'; moved: number; left: { sandboxId: string; reason: string }[] };
type Runner = Record<string, unknown> & { id: string; name: string; sandboxes?: number; migration?: Migration };
const client = (f: Flags) => new ApiClient(resolveSettings(f));
const COLUMNS = ['id', 'name', 'state', 'labels', 'sandboxes', 'lastSeenAt', 'version'];

/** The runner's id: `ref` is an id or a name (an unknown one goes as it is, for the server's 404). */
async function idOf(c: ApiClient, ref: string): Promise<Runner> {
  const all = await c.request<Runner[]>('GET', '/runners');
  return all.find((r) => r.id === ref) ?? all.find((r) => r.name === ref) ?? { id: ref, name: ref };
}

export async function create(f: Flags & { name?: string; label?: string | string[] }): Promise<void> {
  const labels = keyValues(f.label, '--label');
  const settings = resolveSettings(f);
  const body = { name: String(f.name ?? ''), labels };
  const r = await new ApiClient(settings).request<Runner & { token: string }>('POST', '/runners', body);
  print(
    r,
    !!f.json,
    () =>
      `created runner ${r.name} (${r.id}); its token, shown once:\n  ${r.token}\n` +
      'start it on the Docker host with:\n' +
      `  BERTH_API_URL=${settings.apiUrl} BERTH_RUNNER_TOKEN=${r.token} berth runner\n`,
  );
}

export async function list(f: Flags): Promise<void> {
  const items = await client(f).request<Runner[]>('GET', '/runners');
  print(items, !!f.json, () => table(items, COLUMNS));
}

export function setState(action: 'drain' | 'enable') {
  return async (ref: string, f: Flags & { migrate?: boolean }): Promise<void> => {
    const c = client(f);
    const path = `/runners/${encodeURIComponent((await idOf(c, ref)).id)}`;
    let r = await c.request<Runner>('POST', `${path}/${action}${f.migrate ? '?migrate=true' : ''}`);
    // With --migrate: wait for the moves, saying each step, as they can take minutes.
    let said = -1;
    while (r.migration?.state === 'moving') {
      if (!f.json && r.migration.moved !== said)
        process.stderr.write(`moved ${(said = r.migration.moved)}; ${r.sandboxes ?? '?'} left on ${r.name}\n`);
      await sleep(1000);
      r = await c.request<Runner>('GET', path);
    }
    print(r, !!f.json, () => table([r], COLUMNS));
    const left = r.migration?.left ?? [];
    if (left.length)
      throw new AppError('failed_precondition', `${left.length} sandbox(es) stay on runner ${r.name}`, {
        hint: left.map((l) => `${l.sandboxId}: ${l.reason}`).join('\n'),
      });
  };
}

export async function remove(ref: string, f: Flags & { force?: boolean }): Promise<void> {
  const c = client(f);
  const r = await idOf(c, ref);
  const path = `/runners/${encodeURIComponent(r.id)}${f.force ? '?force=true' : ''}`;
  const done = await c.request<Runner & { rescue?: { restored: string[]; lost: string[] } }>('DELETE', path);
  const rescue = done?.rescue;
  print(done ?? r, !!f.json, () =>
    [
      `removed runner ${r.name}; its token no longer works`,
      ...(rescue?.restored ?? []).map((id) => `  restored from its last archive (archived; start it): ${id}`),
      ...(rescue?.lost ?? []).map((id) => `  lost (its files were only on that host): ${id}`),
      '',
    ].join('\n'),
  );
}

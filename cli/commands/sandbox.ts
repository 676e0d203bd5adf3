// `berth sandbox …`: lifecycle and exec over the REST API.
import { AppError } from '../../common/errors.js';
import { ApiClient, resolveSettings } from '../client.js';
import { keyValues, print, table } from '../output.js';
import { attachExec } from '../exec/attach.js';
import { commandLine } from '../exec/command-line.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string };
type Sandbox = Record<string, unknown> & { id: string; name: string; state: string };

const client = (f: Flags) => new ApiClient(resolveSettings(f));
const COLUMNS = ['id', 'name', 'state', 'image', 'cpu', 'memory', 'disk', 'createdAt'];
const num = (v: unknown, name: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new AppError('invalid_argument', `--${name} must be a number`);
  return n;
};

const show = (s: Sandbox, f: Flags) =>
  print(s, !!f.json, () => table([s], COLUMNS) + (s.errorReason ? `error: ${String(s.errorReason)}\n` : ''));

export async function create(f: Flags): Promise<void> {
  const body: Record<string, unknown> = {
    name: f.name,
    image: f.image,
    snapshot: f.snapshot,
    user: f.user,
    cpu: num(f.cpu, 'cpu'),
    memory: num(f.memory, 'memory'),
    disk: num(f.disk, 'disk'),
    env: keyValues(f.env as string | string[] | undefined, '--env'),
    labels: keyValues(f.label as string | string[] | undefined, '--label'),
    autoStopInterval: num(f['auto-stop'], 'auto-stop'),
    networkBlockAll: f['network-block-all'] ? true : undefined,
  };
  const s = await client(f).request<Sandbox>('POST', '/sandbox', body);
  show(s, f);
  if (s.state === 'error')
    throw new AppError('unavailable', `sandbox ${s.id} failed to start: ${String(s.errorReason)}`);
}

export async function list(f: Flags): Promise<void> {
  const labels = keyValues(f.label as string | string[] | undefined, '--label');
  const items: Sandbox[] = [];
  let cursor: string | undefined;
  do {
    const page = await client(f).request<{ items: Sandbox[]; nextCursor: string | null }>(
      'GET',
      '/sandbox',
      undefined,
      {
        cursor,
        limit: '200',
        labels: Object.keys(labels).length ? JSON.stringify(labels) : undefined,
        states: f.state as string | string[] | undefined,
      },
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  print(items, !!f.json, () => table(items, COLUMNS));
}

export async function info(id: string, f: Flags): Promise<void> {
  show(await client(f).request<Sandbox>('GET', `/sandbox/${encodeURIComponent(id)}`), f);
}

export function lifecycle(action: 'start' | 'stop' | 'archive' | 'delete') {
  return async (id: string, f: Flags): Promise<void> => {
    const path = `/sandbox/${encodeURIComponent(id)}${action === 'delete' ? '' : `/${action}`}`;
    const s = await client(f).request<Sandbox>(action === 'delete' ? 'DELETE' : 'POST', path);
    show(s, f);
    if (s.state === 'error') throw new AppError('unavailable', `sandbox ${s.id}: ${String(s.errorReason)}`);
  };
}

/**
 * Runs a command; the CLI exits with the command's exit code. Output streams
 * as it comes (stdout and stderr apart), stdin is passed through, Ctrl-C is
 * forwarded; `-t` runs it on a terminal; `--json` waits and prints the result.
 */
export async function exec(id: string, f: Flags & { _: string[]; tty?: boolean }): Promise<number> {
  const script = commandLine(f._.map(String));
  const env = keyValues(f.env as string | string[] | undefined, '--env');
  const cwd = f.cwd === undefined ? undefined : String(f.cwd);
  const timeout = num(f.timeout, 'timeout');
  const box = client(f).forToolbox(id);
  if (f.json) {
    const request = { command: script, cwd, timeout, envs: env };
    const r = await box.request<{ exitCode: number }>('POST', '/process/execute', request);
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return r.exitCode;
  }
  const argv = f._.map(String);
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  return attachExec(
    box,
    { argv: argv.length === 1 ? [script] : argv, cwd, env, tty: !!f.tty, timeoutSeconds: timeout },
    io,
  );
}

/**
 * Prints a URL of a sandbox port that works as given: signed (expiring) with
 * --signed; else the preview link, carrying the preview token in its query
 * for a private sandbox (the proxy strips it and sets a cookie for the browser).
 */
export async function preview(
  id: string,
  port: string,
  f: Flags & { signed?: boolean; expires?: unknown },
): Promise<void> {
  const p = Number(port);
  if (!Number.isInteger(p) || p < 1 || p > 65535)
    throw new AppError('invalid_argument', `port ${port} is not a TCP port`, {
      hint: 'use 1-65535, e.g. berth sandbox preview demo 8080',
    });
  const c = client(f);
  const path = `/sandbox/${encodeURIComponent(id)}/ports/${p}`;
  if (f.signed) {
    const s = await c.request<{ url: string; token: string }>('GET', `${path}/signed-preview-url`, undefined, {
      expiresInSeconds: String(num(f.expires, 'expires') ?? 60),
    });
    return print(s, !!f.json, () => `${s.url}\n`);
  }
  if (f.expires !== undefined)
    throw new AppError('invalid_argument', '--expires goes with --signed', {
      hint: 'berth sandbox preview demo 8080 --signed --expires 600',
    });
  const [link, s] = await Promise.all([
    c.request<{ url: string; token: string }>('GET', `${path}/preview-url`),
    c.request<Sandbox>('GET', `/sandbox/${encodeURIComponent(id)}`),
  ]);
  const url = s.public ? link.url : `${link.url}/?DAYTONA_SANDBOX_AUTH_KEY=${link.token}`;
  print({ ...link, public: !!s.public, browserUrl: url }, !!f.json, () => `${url}\n`);
}

/** `sandbox snapshot <id> <name>`: the sandbox's filesystem as a snapshot. */
export async function snapshot(id: string, name: string, f: Flags): Promise<void> {
  const s = await client(f).request<Sandbox>('POST', `/sandbox/${encodeURIComponent(id)}/snapshot`, { name });
  const snap = await client(f).request<Record<string, unknown>>('GET', `/snapshots/${encodeURIComponent(name)}`);
  print(
    { sandbox: s, snapshot: snap },
    !!f.json,
    () => `snapshot ${name} of sandbox ${s.name}: ${String(snap.state)}\n`,
  );
}

/** `sandbox fork <id> [--name]`: a new sandbox with the same files; waits until it is started. */
export async function fork(id: string, f: Flags): Promise<void> {
  const s = await client(f).request<Sandbox>(
    'POST',
    `/sandbox/${encodeURIComponent(id)}/fork`,
    f.name ? { name: String(f.name) } : {},
  );
  show(s, f);
  if (s.state === 'error') throw new AppError('unavailable', `fork ${s.id} failed to start: ${String(s.errorReason)}`);
}

/** `sandbox pause <id>`: frozen, memory kept; `sandbox start` resumes it. */
export async function pause(id: string, f: Flags): Promise<void> {
  show(await client(f).request<Sandbox>('POST', `/sandbox/${encodeURIComponent(id)}/pause`), f);
}

/** `sandbox resize <id> --cpu --memory --disk`: live for cpu and memory. */
export async function resize(id: string, f: Flags): Promise<void> {
  const body = { cpu: num(f.cpu, 'cpu'), memory: num(f.memory, 'memory'), disk: num(f.disk, 'disk') };
  show(await client(f).request<Sandbox>('POST', `/sandbox/${encodeURIComponent(id)}/resize`, body), f);
}

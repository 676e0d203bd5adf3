// `berth snapshot …`: list, create (from an image, or built from a Dockerfile
// with an optional context folder), follow build logs, delete.
import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../common/errors.js';
import { ApiClient, resolveSettings } from '../client.js';
import { print, table } from '../output.js';
import { uploadContext } from '../upload-context.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string };
type Snapshot = Record<string, unknown> & { id: string; name: string; state: string; errorReason?: string | null };

const client = (f: Flags) => new ApiClient(resolveSettings(f));

/** Copies a streamed text body (a build log) to `out` as it arrives. */
async function pipeText(body: AsyncIterable<unknown>, out: NodeJS.WritableStream): Promise<void> {
  for await (const chunk of body) out.write(chunk as Buffer);
}
const COLUMNS = ['name', 'state', 'imageName', 'size', 'cpu', 'mem', 'disk', 'createdAt'];
const TERMINAL = ['active', 'error', 'build_failed', 'inactive'];
const num = (v: unknown, name: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new AppError('invalid_argument', `--${name} must be a positive number`);
  return n;
};

export async function list(f: Flags): Promise<void> {
  const items: Snapshot[] = [];
  for (let page = 1; ; page++) {
    const r = await client(f).request<{ items: Snapshot[]; totalPages: number }>('GET', '/snapshots', undefined, {
      page: String(page),
      limit: '200',
    });
    items.push(...r.items);
    if (page >= r.totalPages) break;
  }
  print(items, !!f.json, () => table(items, COLUMNS));
}

export async function create(name: string, f: Flags): Promise<void> {
  const c = client(f);
  const image = f.image as string | undefined;
  const dockerfile = f.dockerfile as string | undefined;
  if (!!image === !!dockerfile)
    throw new AppError('invalid_argument', 'give either --image or --dockerfile', {
      hint: 'berth snapshot create py --image python:3.12 | berth snapshot create app --dockerfile ./Dockerfile --context .',
    });
  const body: Record<string, unknown> = {
    name,
    cpu: num(f.cpu, 'cpu'),
    memory: num(f.memory, 'memory'),
    disk: num(f.disk, 'disk'),
  };
  if (image) body.imageName = image;
  else {
    let content: string;
    try {
      content = readFileSync(dockerfile!, 'utf8');
    } catch (e) {
      throw new AppError('invalid_argument', `cannot read ${dockerfile}: ${(e as Error).message}`);
    }
    const context = f.context as string | undefined;
    if (context && !statSync(context, { throwIfNoEntry: false })?.isDirectory())
      throw new AppError('invalid_argument', `--context ${context} is not a folder`);
    body.buildInfo = {
      dockerfileContent: content,
      ...(context ? { contextHashes: [await uploadContext(c, context)] } : {}),
    };
  }
  let s = await c.request<Snapshot>('POST', '/snapshots', body);
  if (f.follow && body.buildInfo)
    await pipeText(
      await c.stream(`/snapshots/${encodeURIComponent(s.id)}/build-logs`, { follow: 'true' }),
      process.stderr,
    );
  if (f.follow || f.wait) {
    while (!TERMINAL.includes(s.state)) {
      await sleep(1000);
      s = await c.request<Snapshot>('GET', `/snapshots/${encodeURIComponent(s.id)}`);
    }
  }
  print(s, !!f.json, () => table([s], COLUMNS));
  if (s.state === 'error' || s.state === 'build_failed')
    throw new AppError('failed_precondition', `snapshot ${name} failed: ${String(s.errorReason)}`);
}

export async function logs(name: string, f: Flags): Promise<void> {
  await pipeText(
    await client(f).stream(`/snapshots/${encodeURIComponent(name)}/build-logs`, f.follow ? { follow: 'true' } : {}),
    process.stdout,
  );
}

export async function remove(name: string, f: Flags): Promise<void> {
  const c = client(f);
  const s = await c.request<Snapshot>('GET', `/snapshots/${encodeURIComponent(name)}`);
  await c.request('DELETE', `/snapshots/${encodeURIComponent(s.id)}`);
  process.stdout.write(`deleted snapshot ${s.name}\n`);
}

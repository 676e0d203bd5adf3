// Archiving a stopped sandbox and starting it again from its archive, through
// the API, against `docker commit` of a container from the same image with the
// same change (what keeping a container's changes costs with Docker alone),
// in the same run. The archive reads what the sandbox wrote, not its image
// (runner/runtime/overlay-changes.ts); `docker diff`, which it used to ask,
// is timed too. Prints p50 of each and the ratio.
// Run with `npm run bench -- --only=archive`; BENCH_ROUNDS sets the rounds (default 5).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inProcessServer } from './in-process.js';
import { fmtMs, percentile, timed } from './stats.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHANGE = 'mkdir -p /tmp/work && head -c 1000000 /dev/urandom > /tmp/work/blob && rm -f /home/berth/.bashrc';

async function main(): Promise<void> {
  const { server, auth, close } = await inProcessServer();
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const out = (await r.json().catch(() => ({}))) as Record<string, unknown>;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(out)}`);
    return out;
  };
  const image = (await api('GET', '/api/config')).defaultSnapshot as string | undefined;
  const archive: number[] = [];
  const restore: number[] = [];
  const commit: number[] = [];
  const diff: number[] = [];
  const ids: string[] = [];
  const raw: string[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const s = await api('POST', '/api/sandbox', { autoStopInterval: 0 });
      const id = s.id as string;
      ids.push(id);
      await api('POST', `/toolbox/${id}/process/execute`, { command: `bash -c '${CHANGE}'` });
      await api('POST', `/api/sandbox/${id}/stop`);
      archive.push(await timed(() => api('POST', `/api/sandbox/${id}/archive`)));
      restore.push(await timed(() => api('POST', `/api/sandbox/${id}/start`)));

      const c = (
        await run('docker', ['run', '-d', '--entrypoint', 'bash', image ?? 'berth/sandbox-base:latest', '-c', CHANGE])
      ).stdout.trim();
      raw.push(c);
      await run('docker', ['wait', c]);
      commit.push(await timed(() => run('docker', ['commit', c, `berth-bench/archive:${i}`])));
      diff.push(await timed(() => run('docker', ['diff', c])));
      await run('docker', ['rmi', `berth-bench/archive:${i}`]);
    }
    console.log(`\narchive benchmark, ${ROUNDS} rounds (${new Date().toISOString()})\n`);
    console.log(['measure', 'p50', 'max'].join(' | '));
    for (const [name, xs] of [
      ['archive a stopped sandbox (1 MB written)', archive],
      ['start it from its archive', restore],
      ['docker commit, same change', commit],
      ['docker diff of it (what archives read before)', diff],
    ] as const)
      console.log([name, fmtMs(percentile(xs, 50), 0), fmtMs(Math.max(...xs), 0)].join(' | '));
    console.log(`archive / docker commit p50: ${(percentile(archive, 50) / percentile(commit, 50)).toFixed(2)}×`);
  } finally {
    for (const id of ids) await api('DELETE', `/api/sandbox/${id}`).catch(() => {});
    if (raw.length) await run('docker', ['rm', '-f', ...raw]);
    await close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

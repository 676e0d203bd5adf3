// Create-to-started and exec round trips through Berth's API, next to raw
// `docker run -d` and `docker exec` measured in the same run, plus idle memory
// of the server and of a sandbox daemon. Run: npm run bench -- --only=lifecycle
// (BENCH_N sandboxes, default 10, created paced and then back to back;
// BENCH_EXECS exec round trips, default 50; BENCH_GAP_MS between paced creates).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, spawnServer } from '../test/helpers/server-process.js';
import { removeRunnerContainers } from '../test/helpers/docker.js';
import { fmtMs, percentile, timed } from './stats.js';

const N = Number(process.env.BENCH_N ?? 10);
const EXECS = Number(process.env.BENCH_EXECS ?? 50);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 1500);
const IMAGE = 'berth/sandbox-base:latest';

const rssKiB = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const runnerId = `bench-${randomBytes(3).toString('hex')}`;
  const key = `berth_bench_${randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const server = await spawnServer({ BERTH_HOME: home, BERTH_RUNNER_ID: runnerId, BERTH_ADMIN_API_KEY: key, BERTH_LOG_LEVEL: 'warn', BERTH_RATE_LIMIT_CREATE: '0', BERTH_NETNS_POOL: process.env.BERTH_NETNS_POOL ?? '3' /* the server's default */ }, port);
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const j = (await r.json()) as any;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
  try {
    // Warm both paths once (image cache, first-connection costs).
    const warm = await api('POST', '/api/sandbox', { cpu: 1, memory: 1, disk: 2 });
    await api('DELETE', `/api/sandbox/${warm.id}`);
    execFileSync('docker', ['rm', '-f', execFileSync('docker', ['run', '-d', IMAGE, 'sleep', 'infinity'], { encoding: 'utf8' }).trim()]);

    const ids: string[] = [];
    const create = async (into: number[]) => {
      let s: any;
      into.push(await timed(async () => (s = await api('POST', '/api/sandbox', { cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 }))));
      if (s.state !== 'started') throw new Error(`sandbox not started: ${JSON.stringify(s)}`);
      ids.push(s.id);
    };
    // Paced like a user or an agent creating one at a time: the network-namespace pool keeps up.
    const berthCreate: number[] = [];
    for (let i = 0; i < N; i++) {
      await new Promise((r) => setTimeout(r, GAP_MS));
      await create(berthCreate);
    }
    // Back to back: the pool runs dry after BERTH_NETNS_POOL creates and the rest start cold.
    await new Promise((r) => setTimeout(r, GAP_MS));
    const berthBurst: number[] = [];
    for (let i = 0; i < N; i++) await create(berthBurst);
    const rawRun: number[] = [];
    const raw: string[] = [];
    for (let i = 0; i < N; i++) rawRun.push(await timed(() => raw.push(execFileSync('docker', ['run', '-d', IMAGE, 'sleep', 'infinity'], { encoding: 'utf8' }).trim())));

    const target = ids[0]!;
    const berthExec: number[] = [];
    for (let i = 0; i < EXECS; i++) {
      berthExec.push(
        await timed(async () => {
          const r = await api('POST', `/toolbox/${target}/process/execute`, { command: 'echo hi' });
          if (r.result !== 'hi\n') throw new Error(`bad exec result ${JSON.stringify(r)}`);
        }),
      );
    }
    // Where an exec's time goes: an authenticated API read, and a toolbox call that reaches the daemon but starts nothing.
    const apiRead: number[] = [];
    const daemonCall: number[] = [];
    for (let i = 0; i < EXECS; i++) {
      apiRead.push(await timed(() => api('GET', `/api/sandbox/${target}`)));
      daemonCall.push(await timed(() => api('GET', `/toolbox/${target}/user-home-dir`)));
    }
    const rawExec: number[] = [];
    for (let i = 0; i < Math.min(EXECS, 20); i++) rawExec.push(await timed(() => execFileSync('docker', ['exec', raw[0]!, 'echo', 'hi'])));

    await new Promise((r) => setTimeout(r, 2000));
    const serverStatus = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const daemonStatus = (await api('POST', `/toolbox/${target}/process/execute`, { command: 'cat /proc/1/status' })).result as string;

    const rows = [
      [`create → started (exec-ready), ${GAP_MS} ms apart`, berthCreate, rawRun, 'docker run -d'],
      ['create → started, back to back', berthBurst, rawRun, 'docker run -d'],
      ['exec round trip (echo hi)', berthExec, rawExec, 'docker exec'],
    ] as const;
    console.log(`\nBerth vs raw Docker, ${N} sandboxes, ${EXECS} execs (${new Date().toISOString()}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores)\n`);
    console.log(['measure', 'berth p50', 'berth p99', 'raw p50', 'raw p99', 'ratio p50', 'raw'].join(' | '));
    for (const [name, b, r, rawName] of rows) {
      console.log([name, fmtMs(percentile(b, 50)), fmtMs(percentile(b, 99)), fmtMs(percentile(r, 50)), fmtMs(percentile(r, 99)), `${(percentile(b, 50) / percentile(r, 50)).toFixed(2)}×`, rawName].join(' | '));
    }
    console.log(`  of an exec: authenticated API read p50 ${fmtMs(percentile(apiRead, 50))}; toolbox call to the daemon (no process) p50 ${fmtMs(percentile(daemonCall, 50))}`);
    const mb = (kib: number) => `${(kib / 1024).toFixed(1)} MB`;
    console.log(`\nserver RSS with ${ids.length} sandboxes, idle: ${mb(rssKiB(serverStatus, 'VmRSS'))} (anon ${mb(rssKiB(serverStatus, 'RssAnon'))})`);
    console.log(`daemon RSS, idle: ${mb(rssKiB(daemonStatus, 'VmRSS'))} — private (anon) ${mb(rssKiB(daemonStatus, 'RssAnon'))}; file-backed ${mb(rssKiB(daemonStatus, 'RssFile'))} is the Node binary, shared by every sandbox (same inode)`);
    for (const id of ids) await api('DELETE', `/api/sandbox/${id}`);
    execFileSync('docker', ['rm', '-f', ...raw]);
  } finally {
    await server.kill('SIGTERM');
    await removeRunnerContainers(runnerId);
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Create-to-started and exec round trips through Berth's API, next to raw
// `docker run -d` and `docker exec` measured in the same run, plus idle memory
// of the server and of a sandbox daemon. Run: npm run bench -- --only=lifecycle
// (BENCH_N creates of each kind, default 10; BENCH_EXECS exec round trips,
// default 50; BENCH_PARALLEL sandboxes in the parallel measures, default 20).
//
// Warm creates claim a member of the warm pool (the server's default
// BERTH_WARM_POOL, 2); cold creates run with the pool set to 0 through the
// API, paced so the network-namespace pool keeps up, as one user or agent
// creating sandboxes one at a time would.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { benchServer, UNLIMITED } from './server.js';
import { fmtMs, percentile, timed } from './stats.js';
import type { Json } from '../test/helpers/json.js';

const N = Number(process.env.BENCH_N ?? 10);
const EXECS = Number(process.env.BENCH_EXECS ?? 50);
const PAR = Number(process.env.BENCH_PARALLEL ?? 20);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 1500);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1000);
const IMAGE = 'berth/sandbox-base:latest';
const run = promisify(execFile);

const rssKiB = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const server = await benchServer('lifecycle', {
    ...UNLIMITED,
    BERTH_NETNS_POOL: process.env.BERTH_NETNS_POOL ?? '3',
    BERTH_WARM_POOL: process.env.BERTH_WARM_POOL ?? '2',
    // The development VM is shared: other people's test runs must not pause the refill mid-benchmark.
    BERTH_WARM_POOL_MAX_LOAD: process.env.BERTH_WARM_POOL_MAX_LOAD ?? '1000',
    BERTH_WARM_POOL_CHECK_SECONDS: '0.5',
  });
  const { api, call } = server;
  const general = async () => (await api('GET', '/api/snapshots')).items.find((s: Json) => s.general);
  const poolReady = async (n: number) => {
    for (let i = 0; i < 600 && (await general()).warmPool.ready < n; i++) await sleep(100);
  };
  const ids: string[] = [];
  const raw: string[] = [];
  try {
    const snapshot = (await general()).id;
    // Warm both paths once (image cache, first-connection costs).
    await poolReady(1);
    ids.push((await api('POST', '/api/sandbox', { autoStopInterval: 0 })).id);
    raw.push(execFileSync('docker', ['run', '-d', IMAGE, 'sleep', 'infinity'], { encoding: 'utf8' }).trim());

    const create = async (into: number[], want: 'hit' | 'miss', body: Record<string, unknown> = {}) => {
      let r: Awaited<ReturnType<typeof call>> | undefined;
      into.push(await timed(async () => (r = await call('POST', '/api/sandbox', { autoStopInterval: 0, ...body }))));
      if (r!.body.state !== 'started') throw new Error(`sandbox not started: ${JSON.stringify(r!.body)}`);
      if (!r!.warm?.startsWith(want)) throw new Error(`expected a warm ${want}, got ${r!.warm}`);
      ids.push(r!.body.id);
    };
    // A claim from a full pool (the pool refilled since the last create, as between an agent's creates),
    // then claims back to back, each while the previous one's replacement is still starting.
    const warmCreate: number[] = [];
    const poolSize = (await general()).warmPool.size as number;
    for (let i = 0; i < N; i++) {
      await poolReady(poolSize);
      await sleep(SETTLE_MS);
      await create(warmCreate, 'hit');
    }
    const warmBackToBack: number[] = [];
    for (let i = 0; i < N; i++) {
      await poolReady(1);
      await create(warmBackToBack, 'hit');
    }
    await api('PUT', `/api/snapshots/${snapshot}/warm-pool`, { size: 0 });
    await sleep(1500);
    const coldCreate: number[] = [];
    for (let i = 0; i < N; i++) {
      await sleep(GAP_MS);
      await create(coldCreate, 'miss');
    }
    const rawRun: number[] = [];
    for (let i = 0; i < N; i++)
      rawRun.push(
        await timed(() =>
          raw.push(execFileSync('docker', ['run', '-d', IMAGE, 'sleep', 'infinity'], { encoding: 'utf8' }).trim()),
        ),
      );

    // 20 at once from an empty pool, against 20 parallel `docker run -d`.
    await sleep(GAP_MS);
    const burst = await timed(() => Promise.all(Array.from({ length: PAR }, () => create([], 'miss'))));
    const rawBurst = await timed(() =>
      Promise.all(
        Array.from({ length: PAR }, async () =>
          raw.push((await run('docker', ['run', '-d', IMAGE, 'sleep', 'infinity'])).stdout.trim()),
        ),
      ),
    );
    await api('PUT', `/api/snapshots/${snapshot}/warm-pool`, { size: null });

    const target = ids[0]!;
    const inDaemon: number[] = [];
    const execOnce = async (id: string) => {
      const r = await api('POST', `/toolbox/${id}/process/execute`, { command: 'echo hi' });
      if (r.result !== 'hi\n') throw new Error(`bad exec result ${JSON.stringify(r)}`);
      inDaemon.push(r.durationMs);
    };
    // The pool refills after the burst; execs are measured once it is full and the host has settled, each
    // Berth exec next to a raw `docker exec` so both see the same host.
    await poolReady(poolSize);
    await sleep(5 * SETTLE_MS);
    const berthExec: number[] = [];
    const rawExec: number[] = [];
    // A pause before each sample: a docker exec's teardown (runc, the shim) goes on after it answers and
    // would otherwise land on the next sample, whichever kind it is.
    for (let i = 0; i < EXECS; i++) {
      await sleep(100);
      berthExec.push(await timed(() => execOnce(target)));
      await sleep(100);
      rawExec.push(await timed(() => run('docker', ['exec', raw[0]!, 'echo', 'hi'])));
    }
    const commandMs = percentile(inDaemon, 50);
    // Where an exec's time goes: an authenticated API read, and a toolbox call that reaches the daemon but starts nothing.
    const apiRead: number[] = [];
    const daemonCall: number[] = [];
    for (let i = 0; i < EXECS; i++) {
      apiRead.push(await timed(() => api('GET', `/api/sandbox/${target}`)));
      daemonCall.push(await timed(() => api('GET', `/toolbox/${target}/user-home-dir`)));
    }
    const parOne: number[] = [];
    const parMany: number[] = [];
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: PAR }, async () => parOne.push(await timed(() => execOnce(target)))));
      await Promise.all(ids.slice(-PAR).map(async (id) => parMany.push(await timed(() => execOnce(id)))));
    }
    const rawParOne: number[] = [];
    await Promise.all(
      Array.from({ length: PAR }, async () =>
        rawParOne.push(await timed(() => run('docker', ['exec', raw[0]!, 'echo', 'hi']))),
      ),
    );

    await sleep(2000);
    const serverStatus = readFileSync(`/proc/${server.process.child.pid}/status`, 'utf8');
    const daemonStatus = (await api('POST', `/toolbox/${target}/process/execute`, { command: 'cat /proc/1/status' }))
      .result as string;

    const rows: [string, number[], number[], string][] = [
      ['warm create (claim, pool full) → started, exec-ready', warmCreate, rawRun, 'docker run -d'],
      ['warm creates back to back (refill running)', warmBackToBack, rawRun, 'docker run -d'],
      [`cold create → started, ${GAP_MS} ms apart`, coldCreate, rawRun, 'docker run -d'],
      ['exec round trip (echo hi)', berthExec, rawExec, 'docker exec'],
      [`${PAR} parallel execs, one sandbox`, parOne, rawParOne, `${PAR} parallel docker exec`],
      [`${PAR} parallel execs, ${PAR} sandboxes`, parMany, rawParOne, `${PAR} parallel docker exec, one container`],
    ];
    console.log(
      `\nBerth vs raw Docker, ${N} creates of each kind, ${EXECS} execs (${new Date().toISOString()}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores)\n`,
    );
    console.log(['measure', 'berth p50', 'berth p99', 'raw p50', 'raw p99', 'ratio p50', 'raw'].join(' | '));
    for (const [name, b, r, rawName] of rows) {
      console.log(
        [
          name,
          fmtMs(percentile(b, 50)),
          fmtMs(percentile(b, 99)),
          fmtMs(percentile(r, 50)),
          fmtMs(percentile(r, 99)),
          `${(percentile(b, 50) / percentile(r, 50)).toFixed(2)}×`,
          rawName,
        ].join(' | '),
      );
    }
    console.log(
      `${PAR} creates at once from an empty pool: ${fmtMs(burst, 0)} for all; ${PAR} parallel docker run -d: ${fmtMs(rawBurst, 0)} — ${(burst / rawBurst).toFixed(2)}×`,
    );
    console.log(
      `  of an exec: authenticated API read p50 ${fmtMs(percentile(apiRead, 50), 2)}; toolbox call to the daemon (no process) p50 ${fmtMs(percentile(daemonCall, 50), 2)}; the command inside the daemon (spawn to exit) p50 ${fmtMs(commandMs, 2)}`,
    );
    const mb = (kib: number) => `${(kib / 1024).toFixed(1)} MB`;
    console.log(
      `\nserver RSS with ${ids.length} sandboxes, idle: ${mb(rssKiB(serverStatus, 'VmRSS'))} (anon ${mb(rssKiB(serverStatus, 'RssAnon'))})`,
    );
    console.log(
      `daemon RSS, idle: ${mb(rssKiB(daemonStatus, 'VmRSS'))} — private (anon) ${mb(rssKiB(daemonStatus, 'RssAnon'))}; file-backed ${mb(rssKiB(daemonStatus, 'RssFile'))} is the Node binary, shared by every sandbox (same inode)`,
    );
  } finally {
    for (const id of ids) await api('DELETE', `/api/sandbox/${id}`).catch(() => {});
    if (raw.length) execFileSync('docker', ['rm', '-f', ...raw]);
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Density: BENCH_DENSITY_N (default 100) idle sandboxes on one host. Reports
// host memory per idle sandbox (the drop in MemAvailable, and the parts that
// can be measured: daemon, containerd shims, network holders), exec p50/p99
// across all of them, server RSS, and create p50 while they run, next to
// `docker run -d` in the same run. Run: npm run bench -- --only=density
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { benchServer, UNLIMITED } from './server.js';
import { fmtMs, percentile, timed } from './stats.js';

const N = Number(process.env.BENCH_DENSITY_N ?? 100);
const CONCURRENCY = 4;
const IMAGE = 'berth/sandbox-base:latest';
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const memAvailableKiB = () => Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
const statusKiB = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
/** Summed RSS (KiB) and count of host processes with this command name. */
const processes = (comm: string) => {
  const out = execFileSync('ps', ['-C', comm, '-o', 'rss='], { encoding: 'utf8' }).trim();
  const xs = out ? out.split('\n').map(Number) : [];
  return { count: xs.length, kib: xs.reduce((a, b) => a + b, 0) };
};
const tryProcesses = (comm: string) => {
  try {
    return processes(comm);
  } catch {
    return { count: 0, kib: 0 };
  }
};
const mb = (kib: number) => `${(kib / 1024).toFixed(1)} MB`;

async function main() {
  const server = await benchServer('density', { ...UNLIMITED, BERTH_WARM_POOL: '0' });
  const { api } = server;
  const ids: string[] = [];
  const raw: string[] = [];
  const create = async () => {
    const s = await api('POST', '/api/sandbox', { cpu: 1, memory: 1, disk: 2, autoStopInterval: 0 });
    if (s.state !== 'started') throw new Error(`sandbox not started: ${JSON.stringify(s)}`);
    ids.push(s.id);
  };
  try {
    await create(); // first-run costs
    await api('DELETE', `/api/sandbox/${ids.pop()}`);
    await sleep(3000);
    const shimsBefore = tryProcesses('containerd-shim-runc-v2');
    const pauseBefore = tryProcesses('pause');
    const availBefore = memAvailableKiB();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < N) await create();
      }),
    );
    const fillSeconds = (performance.now() - t0) / 1000;
    await sleep(10_000); // idle: daemons settle, page cache stops moving
    const availAfter = memAvailableKiB();
    const shims = tryProcesses('containerd-shim-runc-v2');
    const pause = tryProcesses('pause');
    const daemon = (await api('POST', `/toolbox/${ids[0]}/process/execute`, { command: 'cat /proc/1/status' }))
      .result as string;
    const serverStatus = readFileSync(`/proc/${server.process.child.pid}/status`, 'utf8');

    const exec: number[] = [];
    let healthy = 0;
    for (let round = 0; round < 2; round++) {
      for (const id of ids) {
        let ok = false;
        exec.push(
          await timed(
            async () =>
              (ok = (await api('POST', `/toolbox/${id}/process/execute`, { command: 'echo hi' })).result === 'hi\n'),
          ),
        );
        if (ok && round === 0) healthy++;
      }
    }
    const createWhile: number[] = [];
    for (let i = 0; i < 10; i++) {
      await sleep(1500);
      createWhile.push(await timed(create));
    }
    const rawRun: number[] = [];
    for (let i = 0; i < 5; i++)
      rawRun.push(
        await timed(async () =>
          raw.push((await run('docker', ['run', '-d', IMAGE, 'sleep', 'infinity'])).stdout.trim()),
        ),
      );

    const perSandbox = (availBefore - availAfter) / N;
    const shimPer = (shims.kib - shimsBefore.kib) / Math.max(1, shims.count - shimsBefore.count);
    console.log(
      `\nDensity: ${N} idle sandboxes (${new Date().toISOString()}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, ${mb(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]))})\n`,
    );
    console.log(
      `started: ${N} in ${fillSeconds.toFixed(0)} s (${CONCURRENCY} creates at a time); healthy (exec answered): ${healthy}/${N}`,
    );
    console.log(
      `host memory per idle sandbox: ${mb(perSandbox)} (drop of MemAvailable / ${N}; other processes on the host move it too)`,
    );
    console.log(
      `  daemon: ${mb(statusKiB(daemon, 'RssAnon'))} private (+ ${mb(statusKiB(daemon, 'RssFile'))} file-backed, shared by every sandbox)`,
    );
    console.log(
      `  containerd shims: ${shims.count - shimsBefore.count} more, ${mb(shimPer)} RSS each (partly shared); ${((shims.count - shimsBefore.count) / N).toFixed(2)} per sandbox`,
    );
    console.log(
      `  network holders (pause): ${pause.count - pauseBefore.count} more, ${mb((pause.kib - pauseBefore.kib) / Math.max(1, pause.count - pauseBefore.count))} RSS each`,
    );
    console.log(
      `server RSS with ${ids.length} sandboxes: ${mb(statusKiB(serverStatus, 'VmRSS'))} (anon ${mb(statusKiB(serverStatus, 'RssAnon'))})`,
    );
    console.log(['measure', 'p50', 'p99', 'raw p50', 'ratio p50'].join(' | '));
    console.log(
      ['exec round trip across all sandboxes', fmtMs(percentile(exec, 50)), fmtMs(percentile(exec, 99)), '', ''].join(
        ' | ',
      ),
    );
    console.log(
      [
        `create → started while ${N} run`,
        fmtMs(percentile(createWhile, 50)),
        fmtMs(percentile(createWhile, 99)),
        fmtMs(percentile(rawRun, 50)),
        `${(percentile(createWhile, 50) / percentile(rawRun, 50)).toFixed(2)}× docker run -d`,
      ].join(' | '),
    );
  } finally {
    if (raw.length) execFileSync('docker', ['rm', '-f', ...raw]);
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

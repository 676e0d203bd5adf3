// Sandboxes on remote runners next to the embedded runner, in the same run:
// create → started and exec round trips through one `berth runner`, then
// BENCH_SCALE_PARALLEL (default 50) creates at once spread over three
// runners, next to as many parallel `docker run -d`. The runners drive this
// host's own engine (each with its own folder, network and label), so what
// differs from the embedded runner is the path API → runner link → runner,
// not another machine. Run: npm run bench -- --only=scale
// (BENCH_N creates per kind, default 10; BENCH_EXECS, default 50).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchServer, UNLIMITED, type BenchServer } from './server.js';
import { fmtMs, percentile, timed } from './stats.js';
import { runnerIdFor } from '../common/config.js';
import { removeRunnerContainers } from '../test/helpers/docker.js';
import type { Json } from '../test/helpers/json.js';

const N = Number(process.env.BENCH_N ?? 10);
const EXECS = Number(process.env.BENCH_EXECS ?? 50);
const PAR = Number(process.env.BENCH_SCALE_PARALLEL ?? 50);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 1500);
const IMAGE = 'berth/sandbox-base:latest';
const BIN = fileURLToPath(new URL('../../bin/berth.js', import.meta.url));
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The same settings for every runner, embedded or remote: no egress rules, no network-namespace pool. */
const RUNNER_ENV = { BERTH_ENFORCE_EGRESS: 'false', BERTH_NETNS_POOL: '0' };

interface BenchRunner {
  id: string;
  /** The label its containers carry (derived from its folder, as `berth runner` does). */
  label: string;
  child: ChildProcess;
  home: string;
}

async function startRunner(server: BenchServer, name: string, n: number): Promise<BenchRunner> {
  const made = await server.api('POST', '/api/runners', { name, labels: { region: name.replace(/-\d+$/, '') } });
  const home = mkdtempSync(join(tmpdir(), `berth-bench-${name}-`));
  const child = spawn(process.execPath, [BIN, 'runner'], {
    env: {
      ...process.env,
      ...RUNNER_ENV,
      BERTH_API_URL: server.url,
      BERTH_RUNNER_TOKEN: made.token,
      BERTH_HOME: home,
      // Its own bridge on this engine (the bridge is named from the first characters), apart from the others.
      BERTH_NETWORK: `bb${n}-berth`,
      BERTH_NETWORK_SUBNET: `10.${200 + n}.0.0/16`,
      BERTH_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; (await server.api('GET', `/api/runners/${made.id}`)).state !== 'ready'; i++) {
    if (i > 300) throw new Error(`runner ${name} did not link within 30 s`);
    await sleep(100);
  }
  return { id: made.id, label: runnerIdFor('runner', home), child, home };
}

async function main() {
  const server = await benchServer('scale', {
    ...UNLIMITED,
    ...RUNNER_ENV,
    BERTH_WARM_POOL: '0',
    BERTH_RUNNER_LABELS: 'region=home',
  });
  const runners: BenchRunner[] = [];
  const ids: string[] = [];
  const raw: string[] = [];
  try {
    const create = async (target: string) => {
      const s = await server.api('POST', '/api/sandbox', { target, autoStopInterval: 0, cpu: 1, memory: 1, disk: 2 });
      if (s.state !== 'started') throw new Error(`sandbox not started: ${JSON.stringify(s)}`);
      ids.push(s.id);
      return s as Json;
    };
    runners.push(await startRunner(server, 'one-1', 1));
    // First uses of each path (image cache, link streams) are not measured.
    await create('home');
    await create('one');
    const createMs: Record<string, number[]> = { home: [], one: [] };
    for (let i = 0; i < N; i++)
      for (const target of ['home', 'one']) {
        await sleep(GAP_MS);
        createMs[target]!.push(await timed(() => create(target)));
      }
    const rawRun: number[] = [];
    for (let i = 0; i < N; i++)
      rawRun.push(
        await timed(() =>
          raw.push(execFileSync('docker', ['run', '-d', IMAGE, 'sleep', 'infinity'], { encoding: 'utf8' }).trim()),
        ),
      );

    const [home, one] = [ids[0]!, ids[1]!];
    const execMs: Record<string, number[]> = { home: [], one: [] };
    const rawExec: number[] = [];
    await sleep(3000);
    for (let i = 0; i < EXECS; i++)
      for (const [k, id] of [
        ['home', home],
        ['one', one],
      ] as const) {
        await sleep(100);
        execMs[k]!.push(
          await timed(async () => {
            const r = await server.api('POST', `/toolbox/${id}/process/execute`, { command: 'echo hi' });
            if (r.result !== 'hi\n') throw new Error(`bad exec result ${JSON.stringify(r)}`);
          }),
        );
        if (k === 'one') {
          await sleep(100);
          rawExec.push(await timed(() => run('docker', ['exec', raw[0]!, 'echo', 'hi'])));
        }
      }

    runners.push(await startRunner(server, 'pool-2', 2), await startRunner(server, 'pool-3', 3));
    runners.push(await startRunner(server, 'pool-4', 4));
    await sleep(GAP_MS);
    const spread = new Map<string, number>();
    const burst = await timed(() =>
      Promise.all(
        Array.from({ length: PAR }, async () => {
          const s = await create('pool');
          spread.set(s.runnerId, (spread.get(s.runnerId) ?? 0) + 1);
        }),
      ),
    );
    const rawBurst = await timed(() =>
      Promise.all(
        Array.from({ length: PAR }, async () =>
          raw.push((await run('docker', ['run', '-d', IMAGE, 'sleep', 'infinity'])).stdout.trim()),
        ),
      ),
    );

    console.log(
      `\nRemote runners vs the embedded runner, same engine, ${N} creates and ${EXECS} execs each (${new Date().toISOString()}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores)\n`,
    );
    console.log(
      ['measure', 'embedded p50', 'remote p50', 'remote − embedded', 'embedded p99', 'remote p99'].join(' | '),
    );
    const row = (name: string, a: number[], b: number[]) =>
      console.log(
        [
          name,
          fmtMs(percentile(a, 50)),
          fmtMs(percentile(b, 50)),
          fmtMs(percentile(b, 50) - percentile(a, 50)),
          fmtMs(percentile(a, 99)),
          fmtMs(percentile(b, 99)),
        ].join(' | '),
      );
    row(`cold create → started, ${GAP_MS} ms apart`, createMs.home!, createMs.one!);
    row('exec round trip (echo hi)', execMs.home!, execMs.one!);
    console.log(
      `raw Docker in the same run: docker run -d p50 ${fmtMs(percentile(rawRun, 50))}, docker exec p50 ${fmtMs(percentile(rawExec, 50))}`,
    );
    const counts = [...spread.values()].sort((a, b) => b - a).join('/');
    console.log(
      `${PAR} creates at once over 3 remote runners: ${fmtMs(burst, 0)} for all (per runner ${counts}); ${PAR} parallel docker run -d: ${fmtMs(rawBurst, 0)} — ${(burst / rawBurst).toFixed(2)}×`,
    );
  } finally {
    for (const id of ids) await server.api('DELETE', `/api/sandbox/${id}`).catch(() => {});
    for (let i = 0; i < 300 && ids.length; i++) {
      const left = (await server.api('GET', '/api/sandbox').catch(() => [])) as Json;
      if (!(Array.isArray(left) ? left : (left.items ?? [])).length) break;
      await sleep(200);
    }
    for (const r of runners) {
      r.child.kill('SIGTERM');
      await removeRunnerContainers(r.label);
      rmSync(r.home, { recursive: true, force: true });
    }
    if (raw.length) execFileSync('docker', ['rm', '-f', ...raw]);
    await server.close();
    for (let n = 1; n <= 4; n++) await run('docker', ['network', 'rm', `bb${n}-berth`]).catch(() => {});
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

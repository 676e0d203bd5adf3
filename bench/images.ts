// Sandbox snapshot and fork of a sandbox holding 1 GiB of files, next to raw
// `docker commit` + `docker run -d` of the same container in the same run; and
// a create with an Image whose build is cached (dynamic-image reuse) next to a
// create from a registered snapshot. Run: npm run bench -- --only=images
// (BENCH_N creates of each kind, default 5; BENCH_GIB of files, default 1).
import { execFileSync } from 'node:child_process';
import { benchServer } from './server.js';
import { fmtMs, percentile, timed } from './stats.js';
import type { Json } from '../test/helpers/json.js';

const N = Number(process.env.BENCH_N ?? 5);
const GIB = Number(process.env.BENCH_GIB ?? 1);
const IMAGE = 'berth/sandbox-base:latest';
const SMALL = { cpu: 1, memory: 1, disk: Math.ceil(GIB) + 2, autoStopInterval: 0 };

async function main() {
  const server = await benchServer('images', { BERTH_RATE_LIMIT_CREATE: '0', BERTH_NETNS_POOL: '3' });
  const { api, runnerId } = server;
  const raw: string[] = [];
  const rawImages: string[] = [];
  try {
    const src = await api('POST', '/api/sandbox', SMALL);
    const files = Math.round(GIB * 64);
    const fill = await api('POST', `/toolbox/${src.id}/process/execute`, {
      command: `mkdir -p ~/data && for i in $(seq 1 ${files}); do head -c 16M /dev/urandom > ~/data/f$i; done; du -sm ~/data`,
      timeout: 600,
    });
    if (fill.exitCode !== 0) throw new Error(`could not write the files: ${fill.result}`);

    const snapshot: number[] = [];
    const fork: number[] = [];
    const rawCommit: number[] = [];
    const rawRun: number[] = [];
    const forks: string[] = [];
    for (let i = 0; i < N; i++) {
      snapshot.push(await timed(() => api('POST', `/api/sandbox/${src.id}/snapshot`, { name: `bench-snap-${i}` })));
      let f: Json;
      fork.push(await timed(async () => (f = await api('POST', `/api/sandbox/${src.id}/fork`, {}))));
      if (f.state !== 'started') throw new Error(`fork not started: ${JSON.stringify(f)}`);
      forks.push(f.id);
      const ref = `berth-bench-raw/${runnerId}:${i}`;
      rawCommit.push(await timed(() => execFileSync('docker', ['commit', `berth-${src.id}`, ref])));
      rawImages.push(ref);
      rawRun.push(
        await timed(() =>
          raw.push(
            execFileSync('docker', ['run', '-d', '--entrypoint', 'sleep', ref, 'infinity'], {
              encoding: 'utf8',
            }).trim(),
          ),
        ),
      );
    }
    const rawFork = rawCommit.map((c, i) => c + rawRun[i]!);
    const check = await api('POST', `/toolbox/${forks[0]}/process/execute`, { command: 'du -sm ~/data | cut -f1' });

    // Dynamic-image reuse: the first create builds; the next ones find the image by its Dockerfile.
    const dockerfile = `FROM ${IMAGE}\nRUN echo bench-${runnerId} > /tmp/bench.txt\n`;
    const first = await api('POST', '/api/sandbox', {
      ...SMALL,
      disk: 2,
      buildInfo: { dockerfileContent: dockerfile },
    });
    if (first.state !== 'started') throw new Error(`dynamic image not started: ${JSON.stringify(first)}`);
    await api('POST', '/api/snapshots', { name: 'bench-registered', imageName: IMAGE });
    const ids: string[] = [first.id];
    const reuse: number[] = [];
    const registered: number[] = [];
    for (let i = 0; i < N; i++) {
      let a: Json;
      let b: Json;
      await new Promise((r) => setTimeout(r, 1500)); // let the network-namespace pool refill, as for any create
      reuse.push(
        await timed(
          async () =>
            (a = await api('POST', '/api/sandbox', {
              cpu: 1,
              memory: 1,
              disk: 2,
              autoStopInterval: 0,
              buildInfo: { dockerfileContent: dockerfile },
            })),
        ),
      );
      await new Promise((r) => setTimeout(r, 1500));
      registered.push(
        await timed(
          async () =>
            (b = await api('POST', '/api/sandbox', {
              cpu: 1,
              memory: 1,
              disk: 2,
              autoStopInterval: 0,
              snapshot: 'bench-registered',
            })),
        ),
      );
      if (a.state !== 'started' || b.state !== 'started') throw new Error('a create did not start');
      ids.push(a.id, b.id);
    }

    console.log(
      `\nImages and sandbox state, ${N} of each, ${GIB} GiB of files (${new Date().toISOString()}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores)\n`,
    );
    console.log(['measure', 'berth p50', 'berth max', 'raw p50', 'raw max', 'ratio p50', 'raw'].join(' | '));
    const row = (name: string, b: number[], r: number[], rawName: string) =>
      console.log(
        [
          name,
          fmtMs(percentile(b, 50)),
          fmtMs(Math.max(...b)),
          fmtMs(percentile(r, 50)),
          fmtMs(Math.max(...r)),
          `${(percentile(b, 50) / percentile(r, 50)).toFixed(2)}×`,
          rawName,
        ].join(' | '),
      );
    row(`sandbox snapshot (${GIB} GiB of files)`, snapshot, rawCommit, 'docker commit');
    row(`fork → started (${GIB} GiB of files)`, fork, rawFork, 'docker commit + docker run -d');
    row('create with a cached Image', reuse, registered, 'create from a registered snapshot');
    console.log(
      `  fork has ${String(check.result).trim()} MiB of the files; the Image create target is ≤ 1.1× (measured ${(percentile(reuse, 50) / percentile(registered, 50)).toFixed(2)}×)`,
    );

    for (const id of [...ids, ...forks, src.id]) await api('DELETE', `/api/sandbox/${id}`);
  } finally {
    if (raw.length) execFileSync('docker', ['rm', '-f', ...raw]);
    for (const ref of rawImages) execFileSync('docker', ['rmi', ref], { stdio: 'ignore' });
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

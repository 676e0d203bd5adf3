// Why the runner keeps network namespaces ready (runner/netns-pool.ts): the
// cost of starting a hardened container with no network, on the Berth bridge,
// and in the network namespace of an already running container, next to
// `docker run -d` in the same run. Run: npm run bench -- --only=netns
// (BENCH_N containers per row, default 5). Needs the Berth network (`berth up`).
import { execFileSync } from 'node:child_process';
import { docker } from '../test/helpers/docker.js';
import { percentile, timeEach } from './stats.js';

const N = Number(process.env.BENCH_N ?? 5);
const IMAGE = 'berth/sandbox-base:latest';
const LABEL = { 'berth.bench': 'netns' };
const hardened = (networkMode: string) => ({
  CapDrop: ['ALL'],
  SecurityOpt: ['no-new-privileges:true'],
  PidsLimit: 512,
  Memory: 1 << 30,
  MemorySwap: 1 << 30,
  NanoCpus: 1e9,
  NetworkMode: networkMode,
});

async function createStart(networkMode: string): Promise<string> {
  const c = await docker.createContainer({
    Image: IMAGE,
    Cmd: ['sleep', 'infinity'],
    Labels: LABEL,
    HostConfig: hardened(networkMode),
  });
  await c.start();
  return c.id;
}

async function row(name: string, f: () => Promise<unknown>): Promise<number> {
  const xs = await timeEach(N, f);
  const p50 = percentile(xs, 50);
  console.log(`${name.padEnd(54)} p50 ${p50.toFixed(0).padStart(4)} ms   (${xs.map((x) => x.toFixed(0)).join(' ')})`);
  return p50;
}

async function main() {
  try {
    await docker.getNetwork('berth').inspect();
  } catch {
    throw new Error('the Berth network does not exist: start Berth once (`npx berth up`)');
  }
  try {
    console.log(`\nContainer start by network mode, ${N} each (${new Date().toISOString()})\n`);
    const raw = await row('docker run -d (CLI, default bridge)', async () =>
      execFileSync('docker', ['run', '-d', '--label', 'berth.bench=netns', IMAGE, 'sleep', 'infinity']),
    );
    await row('Engine API create+start, no network', () => createStart('none'));
    await row('Engine API create+start, Berth bridge', () => createStart('berth'));
    const holders: string[] = [];
    for (let i = 0; i < N; i++) holders.push(await createStart('berth'));
    const joined = await row('Engine API create+start, a running holder\u2019s namespace', () =>
      createStart(`container:${holders.shift()}`),
    );
    console.log(`\njoining a ready namespace: ${(joined / raw).toFixed(2)}× docker run -d`);
  } finally {
    for (const c of await docker.listContainers({ all: true, filters: { label: ['berth.bench=netns'] } }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// How long the `berth` command takes to answer, next to `docker version` in
// the same run: `berth version` (no server involved) and `berth sandbox list`
// against a running server. Run: npm run bench -- --only=cli (BENCH_CLI_N
// runs of each, default 10).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchServer } from './server.js';
import { fmtMs, percentile, timed } from './stats.js';

const N = Number(process.env.BENCH_CLI_N ?? 10);
const BIN = fileURLToPath(new URL('../../bin/berth.js', import.meta.url));
const run = promisify(execFile);

async function main() {
  const server = await benchServer('cli');
  const env = {
    ...process.env,
    BERTH_API_URL: `${server.url}/api`,
    BERTH_API_KEY: server.key,
    BERTH_CONFIG: join(server.home, 'none.json'),
  };
  try {
    const each = async (f: () => Promise<unknown>) => {
      await f(); // page cache, first-run costs
      const out: number[] = [];
      for (let i = 0; i < N; i++) out.push(await timed(f));
      return out;
    };
    const version = await each(() => run(process.execPath, [BIN, 'version'], { env }));
    const list = await each(() => run(process.execPath, [BIN, 'sandbox', 'list'], { env }));
    const docker = await each(() => run('docker', ['version'], { env }));
    const bare = await each(() => run(process.execPath, ['-e', '0'], { env }));
    console.log(`\nberth CLI vs docker CLI, ${N} runs each (${new Date().toISOString()})\n`);
    console.log(['command', 'p50', 'p99', 'ratio p50 to docker version'].join(' | '));
    const dp = percentile(docker, 50);
    for (const [name, xs] of [
      ['berth version', version],
      ['berth sandbox list', list],
      ['docker version', docker],
      ['node -e 0 (Node start alone)', bare],
    ] as const) {
      console.log(
        [
          name,
          fmtMs(percentile(xs, 50), 0),
          fmtMs(percentile(xs, 99), 0),
          `${(percentile(xs, 50) / dp).toFixed(2)}×`,
        ].join(' | '),
      );
    }
  } finally {
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Scale-out (issue 15), images (scale-runners.ts times creates and exec): putting the sandbox base image on
// a remote runner whose engine is empty, through ImageDistributor.ensure (the
// `docker save` tar streamed over the runner link into `docker load`), next
// to `docker save | docker -H <that engine> load` in the same run, rounds
// interleaved so both see the same host. The engine is a second dockerd in its
// own network namespace (test/helpers/engine-rig.ts; needs root), the runner a
// real `berth runner` process. Run: npm run bench -- --only=scale-images
// (BENCH_N rounds, default 3); --only=scale runs it with scale-runners.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { systemClock } from '../common/clock.js';
import { silentLogger } from '../common/log.js';
import { ImageDistributor } from '../orchestrator/runners/images.js';
import { engineRigMissing, startEngineRig, type EngineRig } from '../test/helpers/engine-rig.js';
import { startRemoteRunner, type RemoteRunner } from '../test/helpers/remote-runner.js';
import { startStack, type Stack } from '../test/helpers/stack.js';
import { fmtMs, percentile, timed } from './stats.js';

const run = promisify(execFile);
const N = Number(process.env.BENCH_N ?? 3);
const IMAGE = 'berth/sandbox-base:latest';

async function main() {
  const missing = engineRigMissing();
  if (missing) throw new Error(`the scale bench needs ${missing}`);
  let rig: EngineRig | undefined;
  let stack: Stack | undefined;
  let remote: RemoteRunner | undefined;
  try {
    rig = await startEngineRig(null);
    stack = await startStack();
    remote = await startRemoteRunner(stack, rig, { name: 'bench-scale' });
    const client = stack.server.orch.runnerLinks.client(remote.id);
    const size = (await stack.server.runner.inspectImage(IMAGE))?.size ?? 0;
    const images = new ImageDistributor({ local: stack.server.runner, log: silentLogger, clock: systemClock });
    const berth: number[] = [];
    const raw: number[] = [];
    const empty = () => rig!.docker('rmi', IMAGE);
    for (let i = 0; i < N; i++) {
      raw.push(
        await timed(() =>
          run('bash', ['-o', 'pipefail', '-c', `docker save '${IMAGE}' | docker -H 'unix://${rig!.socket}' load -q`]),
        ),
      );
      await empty();
      berth.push(await timed(() => images.ensure(client, IMAGE)));
      await empty();
    }
    const cores = (await run('nproc')).stdout.trim();
    console.log(
      `\nImage distribution to an empty engine, ${IMAGE} (${(size / 1e9).toFixed(2)} GB), ${N} rounds ` +
        `(${new Date().toISOString()}, ${cores} cores)\n`,
    );
    console.log(['measure', 'berth p50', 'berth max', 'raw p50', 'raw max', 'ratio p50', 'raw'].join(' | '));
    console.log(
      [
        'ensure() over the runner link',
        fmtMs(percentile(berth, 50), 0),
        fmtMs(Math.max(...berth), 0),
        fmtMs(percentile(raw, 50), 0),
        fmtMs(Math.max(...raw), 0),
        `${(percentile(berth, 50) / percentile(raw, 50)).toFixed(2)}×`,
        'docker save | docker -H <engine> load',
      ].join(' | '),
    );
    console.log(`  ${((size / 1e6 / percentile(berth, 50)) * 1000).toFixed(0)} MB/s through the link (p50)`);
  } finally {
    await remote?.stop();
    await rig?.close();
    await stack?.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

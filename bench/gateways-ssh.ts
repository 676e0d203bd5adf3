// The SSH gateway against raw Docker in the same run: `ssh host true` (a new
// connection, login and command each time) next to `docker exec <c> true`,
// and scp of one file both ways next to `docker cp`. Every side is a
// command-line client in its own process. Run with
// `npm run bench -- --only=gateways` (or --only=ssh); BENCH_SSH_RUNS sets the
// ssh/exec runs (default 20), BENCH_SCP_MIB the file size (default 100),
// BENCH_ROUNDS the transfer rounds (default 3).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inProcessServer } from './in-process.js';
import { loadHostKey } from '../gateways/ssh/host-key.js';
import { fmtMs, percentile, timeEach, timed } from './stats.js';
import type { Json } from '../test/helpers/json.js';
import { sshOptions } from '../test/helpers/ssh-options.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const RUNS = Number(process.env.BENCH_SSH_RUNS ?? 20);
const SIZE = Number(process.env.BENCH_SCP_MIB ?? 100) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  const booted = await inProcessServer({ ssh: true });
  const { server, home, key } = booted;
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-ssh-'));
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await r.json()) as Record<string, Json>;
  };
  let sandboxId = '';
  try {
    const sandbox = await api('POST', '/sandbox', { cpu: 2, memory: 2, disk: 8, autoStopInterval: 0 });
    if (sandbox.state !== 'started') throw new Error(`sandbox did not start: ${JSON.stringify(sandbox)}`);
    sandboxId = sandbox.id;
    const container = `berth-${sandboxId}`;
    const port = String(server.ssh!.port());
    const token = (await api('POST', `/sandbox/${sandboxId}/ssh-access`)).token as string;
    const known = join(work, 'known_hosts');
    writeFileSync(known, `[127.0.0.1]:${port} ${loadHostKey(home).publicKey}\n`);
    const opts = sshOptions(known);
    process.stdout.write(`ssh gateway benchmark: sandbox ${sandboxId}, ${RUNS} runs, ${SIZE / MiB} MiB transfers\n`);

    // One warm-up each: the first docker exec and the first ssh login pay one-off costs.
    await run('ssh', [...opts, '-p', port, `${token}@127.0.0.1`, 'true']);
    await run('docker', ['exec', container, 'true']);
    const sshTimes = await timeEach(RUNS, () => run('ssh', [...opts, '-p', port, `${token}@127.0.0.1`, 'true']));
    const dockerTimes = await timeEach(RUNS, () => run('docker', ['exec', container, 'true']));
    const line = (label: string, xs: number[]) =>
      process.stdout.write(
        `  ${label.padEnd(26)} p50 ${fmtMs(percentile(xs, 50)).padStart(9)}  p99 ${fmtMs(percentile(xs, 99)).padStart(9)}\n`,
      );
    line('ssh host true', sshTimes);
    line('docker exec <c> true', dockerTimes);
    process.stdout.write(
      `  ratio ssh/docker exec p50 = ${(percentile(sshTimes, 50) / percentile(dockerTimes, 50)).toFixed(2)}×\n`,
    );

    const local = join(work, 'payload.bin');
    await run('sh', ['-c', `head -c ${SIZE} /dev/urandom > ${local}`]);
    const best = async (label: string, f: () => Promise<unknown>) => {
      let fastest = Infinity;
      for (let i = 0; i < ROUNDS; i++) fastest = Math.min(fastest, await timed(f));
      const mbps = SIZE / 1e6 / (fastest / 1000);
      process.stdout.write(
        `  ${label.padEnd(26)} ${mbps.toFixed(0).padStart(6)} MB/s  (best of ${ROUNDS}: ${(fastest / 1000).toFixed(2)} s)\n`,
      );
      return mbps;
    };
    const scp = (args: string[]) => run('scp', [...opts, '-P', port, ...args]);
    const up = await best('upload   scp', () => scp([local, `${token}@127.0.0.1:/tmp/scp.bin`]));
    const cpUp = await best('upload   docker cp', () => run('docker', ['cp', local, `${container}:/tmp/cp.bin`]));
    const down = await best('download scp', async () => {
      rmSync(join(work, 'scp.out'), { force: true });
      await scp([`${token}@127.0.0.1:/tmp/scp.bin`, join(work, 'scp.out')]);
      if (statSync(join(work, 'scp.out')).size !== SIZE) throw new Error('scp download: short file');
    });
    const cpDown = await best('download docker cp', async () => {
      rmSync(join(work, 'cp.out'), { force: true });
      await run('docker', ['cp', `${container}:/tmp/cp.bin`, join(work, 'cp.out')]);
    });
    process.stdout.write(`  upload ratio   scp/docker cp = ${(up / cpUp).toFixed(2)}×\n`);
    process.stdout.write(`  download ratio scp/docker cp = ${(down / cpDown).toFixed(2)}×\n`);
  } finally {
    if (sandboxId) await api('DELETE', `/sandbox/${sandboxId}`).catch(() => {});
    await booted.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

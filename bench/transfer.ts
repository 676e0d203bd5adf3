// File transfer throughput through the API (the SDK's endpoints:
// POST /toolbox/{id}/files/bulk-upload and bulk-download, multipart, streamed)
// against `docker cp` of the same file into and out of the same container, in
// the same run. Both sides use a command-line client in its own process (curl
// for the API, the docker CLI for docker cp), reading from and writing to disk.
// Prints MB/s of each and the API/docker-cp ratios (target ≥ 0.7×).
// Run with `npm run bench` (needs Docker and the base image);
// BENCH_TRANSFER_MIB sets the file size (default 512), BENCH_ROUNDS the rounds (default 3).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inProcessServer } from './in-process.js';
import { randomFile } from '../test/helpers/random-file.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_TRANSFER_MIB ?? 512) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET = 0.7;

async function best(label: string, f: () => Promise<void>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t = process.hrtime.bigint();
    await f();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - t) / 1e9);
  }
  const mbps = SIZE / 1e6 / fastest;
  process.stdout.write(
    `  ${label.padEnd(28)} ${mbps.toFixed(0).padStart(6)} MB/s  (best of ${ROUNDS}: ${fastest.toFixed(2)} s)\n`,
  );
  return mbps;
}

async function main(): Promise<void> {
  const booted = await inProcessServer();
  const { server, key } = booted;
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-files-'));
  const auth = { authorization: `Bearer ${key}` };
  let sandboxId = '';
  try {
    const created = await fetch(`${server.url}/api/sandbox`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ cpu: 2, memory: 2, disk: 8, autoStopInterval: 0 }),
    });
    const sandbox = (await created.json()) as { id: string; state: string };
    if (sandbox.state !== 'started') throw new Error(`sandbox did not start: ${JSON.stringify(sandbox)}`);
    sandboxId = sandbox.id;
    const container = `berth-${sandboxId}`;
    const local = join(work, 'payload.bin');
    process.stdout.write(`transfer benchmark: ${SIZE / MiB} MiB, sandbox ${sandboxId}\n`);
    const sum = await randomFile(local, SIZE);
    const tb = `${server.url}/toolbox/${sandboxId}`;

    const curl = (args: string[]) =>
      run('curl', ['-sS', '--fail-with-body', '-H', `authorization: Bearer ${key}`, ...args], { maxBuffer: 1 << 20 });
    const apiUpload = async () => {
      await curl([
        '-o',
        '/dev/null',
        '-F',
        'files[0].path=/tmp/api.bin',
        '-F',
        `files[0].file=@${local};type=application/octet-stream`,
        `${tb}/files/bulk-upload`,
      ]);
    };
    const apiDownload = async () => {
      const out = join(work, 'api.out');
      await curl([
        '-o',
        out,
        '-H',
        'content-type: application/json',
        '-d',
        JSON.stringify({ paths: ['/tmp/api.bin'] }),
        `${tb}/files/bulk-download`,
      ]);
      if (statSync(out).size < SIZE) throw new Error('API download: short body');
    };
    const cpIn = async () => {
      await run('docker', ['cp', local, `${container}:/tmp/cp.bin`]);
    };
    const cpOut = async () => {
      rmSync(join(work, 'cp.out'), { force: true });
      await run('docker', ['cp', `${container}:/tmp/cp.bin`, join(work, 'cp.out')]);
      if (statSync(join(work, 'cp.out')).size !== SIZE) throw new Error('docker cp out: short file');
    };

    const up = await best('upload   API (bulk-upload)', apiUpload);
    const check = await fetch(`${tb}/process/execute`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'sha256sum /tmp/api.bin' }),
    });
    if (!((await check.json()) as { result: string }).result.startsWith(sum)) throw new Error('uploaded file differs');
    const cpUp = await best('upload   docker cp', cpIn);
    const down = await best('download API (bulk-download)', apiDownload);
    const cpDown = await best('download docker cp', cpOut);
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    process.stdout.write(
      `  upload ratio   API/docker cp = ${ratio(up, cpUp)}  (target ≥ ${TARGET}×)${up / cpUp >= TARGET ? '' : '  BELOW TARGET'}\n`,
    );
    process.stdout.write(
      `  download ratio API/docker cp = ${ratio(down, cpDown)}  (target ≥ ${TARGET}×)${down / cpDown >= TARGET ? '' : '  BELOW TARGET'}\n`,
    );
  } finally {
    if (sandboxId)
      await fetch(`${server.url}/api/sandbox/${sandboxId}`, { method: 'DELETE', headers: auth }).catch(() => {});
    await booted.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

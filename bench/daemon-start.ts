// The two costs behind create and exec that live in the daemon, measured on
// the host with the daemon folder the runner builds: how long the daemon takes
// from exec to its first connect (bare Node, the bundle with and without V8's
// code cache), and what starting a command costs through Node's spawn (a fork
// of the whole process) and through the addon's posix_spawn. Run:
// npm run bench -- --only=daemon-start (BENCH_N starts per row, default 20).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_FILES } from '../common/wire/daemon-files.js';
import { loadNative } from '../daemon/native.js';
import type { PipedChild } from '../daemon/native-child.js';
import { Spawner } from '../daemon/spawner.js';
import { prepareDaemonBundle } from '../runner/daemon-bundle.js';
import { percentile } from './stats.js';

const N = Number(process.env.BENCH_N ?? 20);
const p50 = (xs: number[]) => percentile(xs, 50);
const line = (name: string, xs: number[]) =>
  console.log(`${name.padEnd(58)} p50 ${p50(xs).toFixed(1).padStart(6)} ms   min ${Math.min(...xs).toFixed(1)} ms`);

/** Exec of `script` to the first connection on a unix socket it is told about. */
async function timeToConnect(script: string, n: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-sock-'));
  const sock = join(dir, 's');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(sock, r));
  const xs: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const child = spawn(process.execPath, [script], {
        env: {
          PATH: process.env.PATH,
          BERTH_SOCKET: sock,
          BERTH_SANDBOX_ID: 'bench',
          BERTH_DAEMON_SECRET: 'bench',
          BERTH_WORKDIR: dir,
        },
        stdio: 'ignore',
      });
      await new Promise<void>((r) => srv.once('connection', (c) => (xs.push(performance.now() - t), c.destroy(), r())));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return xs;
}

async function timeToExit(start: () => PipedChild, n: number): Promise<{ total: number[]; call: number[] }> {
  const total: number[] = [];
  const call: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const child = start();
    call.push(performance.now() - t);
    child.stdout!.resume();
    child.stderr!.resume();
    child.stdin!.end();
    await new Promise((r) => child.once('close', r));
    total.push(performance.now() - t);
  }
  return { total, call };
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'berth-bench-daemon-'));
  try {
    const bundle = fileURLToPath(new URL('../daemon-bundle/daemon.js', import.meta.url));
    const withCache = prepareDaemonBundle(join(home, 'runtime'), bundle, { prune: false }).dir;
    const noCache = join(home, 'no-cache');
    cpSync(withCache, noCache, { recursive: true });
    rmSync(join(noCache, DAEMON_FILES.codeCache), { force: true });
    const bare = join(home, 'bare.cjs');
    writeFileSync(
      bare,
      "require('node:net').connect(process.env.BERTH_SOCKET).on('error', () => {}); setTimeout(() => {}, 60000);\n",
    );

    console.log(`\nDaemon start, exec → first connect, ${N} starts each (${new Date().toISOString()})\n`);
    const b = await timeToConnect(bare, N);
    line('bare Node connecting (the floor)', b);
    const nc = await timeToConnect(join(noCache, DAEMON_FILES.entry), N);
    line('daemon, compiled from source', nc);
    const wc = await timeToConnect(join(withCache, DAEMON_FILES.entry), N);
    line("daemon, from the runner's V8 code cache", wc);
    console.log(
      `daemon above bare Node: ${(p50(nc) - p50(b)).toFixed(1)} ms from source, ${(p50(wc) - p50(b)).toFixed(1)} ms with the code cache`,
    );

    // Grow the heap like a daemon that has served a while: fork copies it, posix_spawn does not.
    const ballast = Array.from({ length: 40 }, () => Buffer.alloc(1 << 20, 1));
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const viaNode = new Spawner(null);
    const viaAddon = new Spawner(loadNative(withCache));
    if (viaAddon.kind !== 'posix_spawn')
      throw new Error('the daemon folder has no addon with posix_spawn; run npm run build');
    console.log(
      `\nStarting a command to its exit, ${N * 2} each, this process at ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MB RSS\n`,
    );
    // --norc: Node's stdio are socketpairs, and bash sources the rc files when stdin is a socket
    // (Debian builds it that way for rshd/ssh); the addon uses pipes. Compare the start alone.
    for (const [name, cmd, args] of [
      ["bash --norc -c 'echo hi'", '/bin/bash', ['--norc', '-c', 'echo hi']],
      ['/bin/true', '/bin/true', []],
    ] as const) {
      const n = await timeToExit(() => viaNode.spawnPiped(cmd, [...args], { cwd: home, env }), N * 2);
      const a = await timeToExit(() => viaAddon.spawnPiped(cmd, [...args], { cwd: home, env }), N * 2);
      line(`${name}: Node spawn (fork), whole run`, n.total);
      line(`${name}: Node spawn (fork), the spawn() call alone`, n.call);
      line(`${name}: addon posix_spawn, whole run`, a.total);
      line(`${name}: addon posix_spawn, the call alone`, a.call);
    }
    ballast.length = 0;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();

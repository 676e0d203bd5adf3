// 1 GiB up and down through the API with flat memory: the server (this
// process) and the sandbox daemon (PID 1 in the sandbox) each grow by less
// than 64 MB while the bytes stream, and the file arrives intact both ways.
// The SDK client runs in a child process, so this process's RSS is the
// server's alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';
import type { Json } from '../helpers/json.js';

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;
const LIMIT = 64 * 1000 * 1000;

/** The client: streams a deterministic 1 GiB up and back, announcing each phase on stdout. */
const CLIENT = `
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Daytona } from ${JSON.stringify(import.meta.resolve('@daytonaio/sdk'))};
const MiB = 1024 * 1024;
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const daytona = new Daytona({ apiKey: process.env.KEY, apiUrl: process.env.API });
const s = await daytona.get(process.env.SANDBOX);
function source(size, hash) {
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  let sent = 0;
  return new Readable({ read() {
    if (sent >= size) return this.push(null);
    const n = Math.min(MiB, size - sent);
    const chunk = Buffer.from(block.subarray(0, n));
    chunk.writeUInt32LE(sent / MiB, 0);
    sent += n;
    hash.update(chunk);
    this.push(chunk);
  } });
}
async function download(path) {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(await s.fs.downloadFileStream(path, { timeout: 0 }), new Writable({ write(c, _e, cb) { bytes += c.length; hash.update(c); cb(); } }));
  return { sha: hash.digest('hex'), bytes };
}
// Warm-up: one-time allocations (allocator arenas, HTTP/2 windows, JIT) belong in the baseline.
await s.fs.uploadFileStream(source(64 * MiB, createHash('sha256')), 'warm.bin');
await download('warm.bin');
say({ phase: 'upload-start' });
const up = createHash('sha256');
await s.fs.uploadFileStream(source(${SIZE}, up), 'big/1g.bin', { timeout: 0 });
say({ phase: 'upload-done', sha: up.digest('hex') });
await download('warm.bin');
say({ phase: 'download-start' });
say({ phase: 'download-done', ...(await download('big/1g.bin')) });
`;

describe('streaming memory: 1 GiB through the API', () => {
  let t: SdkStack;
  let s: Sandbox;
  let dir: string;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox({ resources: { cpu: 1, memory: 1, disk: 4 } });
    dir = mkdtempSync(join(tmpdir(), 'berth-sdk-mem-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  const daemonRss = async () => {
    const r = await s.process.executeCommand('grep VmRSS /proc/1/status');
    return Number(/VmRSS:\s+(\d+) kB/.exec(r.result)?.[1] ?? 0) * 1024;
  };

  it('uploads and downloads 1 GiB with flat server and daemon memory', async () => {
    const script = join(dir, 'client.mjs');
    writeFileSync(script, CLIENT);
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, KEY: t.stack.key, API: t.stack.apiUrl, SANDBOX: s.id },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', r));

    // Sampling: the server every 50 ms, the daemon every 250 ms, peaks per phase against the value at its start.
    type Phase = { server0: number; daemon0: number; server: number; daemon: number };
    const phases: Record<string, Phase> = {};
    let current = null as Phase | null;
    let sampling = true;
    const serverLoop = (async () => {
      while (sampling) {
        if (current) current.server = Math.max(current.server, process.memoryUsage().rss);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const daemonLoop = (async () => {
      while (sampling) {
        const phase = current;
        const v = await daemonRss();
        if (phase) phase.daemon = Math.max(phase.daemon, v);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const results: Record<string, Json> = {};
    for await (const line of createInterface({ input: child.stdout })) {
      const msg = JSON.parse(line) as { phase: string };
      if (msg.phase.endsWith('-start')) {
        const server0 = process.memoryUsage().rss;
        const daemon0 = await daemonRss();
        current = phases[msg.phase.replace('-start', '')] = { server0, daemon0, server: server0, daemon: daemon0 };
      } else {
        current = null;
        results[msg.phase] = msg;
      }
    }
    sampling = false;
    await Promise.all([serverLoop, daemonLoop]);
    assert.equal(await exited, 0, 'the client finished');

    const sum = results['upload-done'].sha;
    const inside = await s.process.executeCommand('sha256sum big/1g.bin | cut -d" " -f1; stat -c %s big/1g.bin');
    assert.equal(inside.result, `${sum}\n${SIZE}\n`);
    assert.equal(results['download-done'].bytes, SIZE);
    assert.equal(results['download-done'].sha, sum);

    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    const growth = Object.entries(phases).map(([name, p]) => ({
      name,
      server: p.server - p.server0,
      daemon: p.daemon - p.daemon0,
    }));
    process.stderr.write(
      `# RSS growth while streaming 1 GiB: ${growth.map((g) => `${g.name}: server ${mb(g.server)}, daemon ${mb(g.daemon)}`).join('; ')}\n`,
    );
    assert.equal(growth.length, 2);
    for (const g of growth) {
      assert.ok(g.server < LIMIT, `server RSS grew ${mb(g.server)} during ${g.name}`);
      assert.ok(g.daemon < LIMIT, `daemon RSS grew ${mb(g.daemon)} during ${g.name}`);
    }
  });
});

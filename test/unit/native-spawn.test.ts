import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNative } from '../../daemon/native.js';
import type { PipedChild } from '../../daemon/native-child.js';
import { Spawner } from '../../daemon/spawner.js';

// The real addon, as the daemon loads it when run from the checkout.
const native = loadNative(dirname(fileURLToPath(import.meta.url)));

async function run(child: PipedChild, stdin?: string) {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  child.stdin!.end(stdin);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, out, err };
}

describe('starting commands with posix_spawn (daemon/native)', () => {
  it('is built with the spawn helpers', () => {
    assert.ok(native?.spawnPiped && native.waitPid, 'npm run build compiles daemon/native with spawn.c');
  });

  const spawner = new Spawner(native);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ONLY: 'this' };

  it('runs in the given folder with exactly the given environment, feeding stdin and splitting output', async () => {
    const r = await run(
      spawner.spawnPiped('/bin/sh', ['-c', 'pwd; echo "$ONLY:${HOME:-unset}"; cat; echo oops >&2; exit 7'], {
        cwd: '/tmp',
        env,
      }),
      'from stdin\n',
    );
    assert.deepEqual(r, { code: 7, signal: null, out: '/tmp\nthis:unset\nfrom stdin\n', err: 'oops\n' });
  });

  it('gives the command its own session and default signal handling (Node ignores SIGPIPE; the command must not)', async () => {
    const child = spawner.spawnPiped(
      '/bin/sh',
      // grep reads its own status, exec'd in the shell's place: a shell waiting for a child blocks signals now and then.
      ['-c', 'ps -o pid=,pgid=,sid= -p $$; exec grep -E "^Sig(Ign|Blk)" /proc/self/status'],
      { cwd: '/', env },
    );
    const r = await run(child);
    const [pid, pgid, sid] = r.out.split('\n')[0]!.trim().split(/\s+/).map(Number);
    assert.equal(pid, child.pid);
    assert.equal(pgid, child.pid, 'leads its own process group, so killTree(-pid) reaches all of it');
    assert.equal(sid, child.pid);
    assert.match(r.out, /SigBlk:\s+0+\n/);
    assert.match(r.out, /SigIgn:\s+0+\n/, 'nothing ignored, SIGPIPE included');
  });

  it('reports a signal death by name, and the pid is released to the reaper', async () => {
    const child = spawner.spawnPiped('/bin/sh', ['-c', 'kill -TERM $$'], { cwd: '/', env });
    assert.ok(spawner.isOwned(child.pid!));
    const r = await run(child);
    assert.deepEqual([r.code, r.signal], [null, 'SIGTERM']);
    assert.equal(spawner.isOwned(child.pid!), false);
  });

  it('kill() reaches the running command', async () => {
    const child = spawner.spawnPiped('/bin/sleep', ['30'], { cwd: '/', env });
    const done = run(child);
    child.kill('SIGKILL');
    assert.equal((await done).signal, 'SIGKILL');
  });

  it('gives fd 3 when asked, both ways, and closes only once its output is read', async () => {
    const child = spawner.spawnPiped('/bin/sh', ['-c', 'read line <&3; echo "got $line" >&3; echo done'], {
      cwd: '/',
      env,
      fd3: true,
    });
    const fd3 = child.stdio[3] as import('node:net').Socket;
    let back = '';
    fd3.on('data', (d) => (back += d));
    fd3.write('secret\n');
    const r = await run(child);
    assert.deepEqual([r.code, r.out, back], [0, 'done\n', 'got secret\n']);
    assert.equal(spawner.spawnPiped('/bin/true', [], { cwd: '/', env }).stdio.length, 3, 'no fd 3 unless asked');
  });

  it('throws like Node does when the command or folder does not exist, or a string holds a NUL', () => {
    assert.throws(
      () => spawner.spawnPiped('/no/such/shell', [], { cwd: '/', env }),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
    );
    assert.throws(
      () => spawner.spawnPiped('/bin/sh', ['-c', 'true'], { cwd: '/no/such/dir', env }),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
    );
    // A NUL would cut the command short in C: refused, as Node refuses it.
    assert.throws(
      () => spawner.spawnPiped('/bin/sh', ['-c', 'echo safe\0; rm -rf x'], { cwd: '/', env }),
      (e: NodeJS.ErrnoException) => e.code === 'ERR_INVALID_ARG_VALUE',
    );
    assert.throws(
      () => spawner.spawnPiped('/bin/sh', ['-c', 'true'], { cwd: '/', env: { A: 'x\0y' } }),
      (e: NodeJS.ErrnoException) => e.code === 'ERR_INVALID_ARG_VALUE',
    );
  });

  it('collects many short commands running at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        run(spawner.spawnPiped('/bin/sh', ['-c', `echo ${i}; exit ${i % 5}`], { cwd: '/', env })),
      ),
    );
    results.forEach((r, i) => assert.deepEqual([r.code, r.out], [i % 5, `${i}\n`]));
  });
});

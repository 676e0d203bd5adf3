// scp (SFTP underneath since OpenSSH 9), sftp and rsync through the gateway
// with the real clients: 100 MiB both ways checked by sha256, an sftp batch
// that makes, lists, renames, links, changes and removes, a folder synced
// both ways, and the audit log's record of writes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandbox, exec } from '../helpers/stack.js';
import { run, sshFixture, type SshFixture } from './ssh-helpers.js';
import { randomFile, sha256File } from '../helpers/random-file.js';

const MiB = 1 << 20;

describe('ssh gateway: scp and sftp', () => {
  let f: SshFixture;
  let token: string;
  const scp = (args: string[]) => run('scp', [...f.opts, '-P', String(f.port), ...args], { timeoutMs: 300_000 });
  const sftp = (batch: string) => {
    writeFileSync(join(f.dir, 'batch'), batch);
    return run('sftp', [...f.opts, '-P', String(f.port), '-b', join(f.dir, 'batch'), `${token}@127.0.0.1`]);
  };

  before(async () => {
    f = await sshFixture();
    token = await f.token();
  });
  after(async () => {
    await f?.close();
  });

  it('scp uploads and downloads 100 MiB intact (sha256)', async () => {
    const local = join(f.dir, 'big.bin');
    const sum = await randomFile(local, 100 * MiB);
    const up = await scp([local, `${token}@127.0.0.1:/tmp/big.bin`]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await exec(f.stack, f.id, 'sha256sum /tmp/big.bin')).result.split(' ')[0], sum);
    const back = join(f.dir, 'back.bin');
    const down = await scp([`${token}@127.0.0.1:/tmp/big.bin`, back]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(statSync(back).size, 100 * MiB);
    assert.equal(await sha256File(back), sum);
  });

  it('records the upload in the audit log with its path, from ssh', async () => {
    await f.stack.server.orch.audit.flush();
    const r = await f.stack.api('GET', '/audit?action=toolbox.files.write');
    const entry = (r.body.items as { details: { path: string }; frontend: string }[]).find(
      (e) => e.details.path === '/tmp/big.bin',
    );
    assert.ok(entry, JSON.stringify(r.body));
    assert.equal(entry.frontend, 'ssh');
  });

  it('runs an sftp batch: mkdir, put, ls, rename, chmod, symlink, get, rm, rmdir', async () => {
    writeFileSync(join(f.dir, 'hello.txt'), 'hello sftp\n');
    const r = await sftp(
      [
        'mkdir work',
        'cd work',
        `put ${join(f.dir, 'hello.txt')} hello.txt`,
        'rename hello.txt greeting.txt',
        'chmod 600 greeting.txt',
        'ln -s greeting.txt link.txt',
        'ls -l',
        `get link.txt ${join(f.dir, 'via-link.txt')}`,
        'pwd',
        '-mkdir /home/berth/work',
        '-rmdir /nonexistent-dir',
      ].join('\n') + '\n',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /-rw-------\s+1 berth\s+berth\s+11 \w{3} [ \d]\d \d\d:\d\d greeting\.txt/);
    assert.match(r.stdout, /lrwxrwxrwx .* link\.txt/);
    assert.match(r.stdout, /Remote working directory: \/home\/berth\/work/);
    assert.equal(readFileSync(join(f.dir, 'via-link.txt'), 'utf8'), 'hello sftp\n');
    const inside = await exec(f.stack, f.id, 'stat -c "%a %s %N" work/greeting.txt work/link.txt');
    assert.equal(inside.result, "600 11 'work/greeting.txt'\n777 12 'work/link.txt' -> 'greeting.txt'\n");
    const rm = await sftp('rm work/link.txt\nrm work/greeting.txt\nrmdir work\n');
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await exec(f.stack, f.id, 'test -e work || echo gone')).result, 'gone\n');
  });

  it('syncs a folder both ways with rsync -e ssh (an image with rsync)', async () => {
    const s = await createSandbox(f.stack, { image: 'berth-test/rsync:latest', autoStopInterval: 0 });
    const t = (await f.stack.api('POST', `/sandbox/${s.id}/ssh-access`)).body.token as string;
    const e = ['ssh', ...f.opts, '-p', String(f.port)].map((a) => `'${a}'`).join(' ');
    const src = join(f.dir, 'tree');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'alpha\n');
    writeFileSync(join(src, 'sub', 'b.bin'), randomBytes(300_000));
    const up = await run('rsync', ['-a', '-e', e, `${src}/`, `${t}@127.0.0.1:/tmp/tree/`]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(
      (await exec(f.stack, s.id, 'cat /tmp/tree/a.txt; stat -c %s /tmp/tree/sub/b.bin')).result,
      'alpha\n300000\n',
    );
    await exec(f.stack, s.id, 'echo beta > /tmp/tree/c.txt');
    const down = join(f.dir, 'tree-back');
    const back = await run('rsync', ['-a', '-e', e, `${t}@127.0.0.1:/tmp/tree/`, `${down}/`]);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(readFileSync(join(down, 'c.txt'), 'utf8'), 'beta\n');
    assert.deepEqual(readFileSync(join(down, 'sub', 'b.bin')), readFileSync(join(src, 'sub', 'b.bin')));
  });

  it('reports sftp errors as the client expects them', async () => {
    const r = await sftp('get /nope/missing.txt\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not found|No such file/i);
    const denied = await sftp(`put ${join(f.dir, 'hello.txt')} /etc/berth-test.txt\n`);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /[Pp]ermission denied/);
  });
});

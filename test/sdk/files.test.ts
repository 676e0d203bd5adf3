// File operations through the SDK, including streamed transfers and a 100 MiB
// round trip that must come back byte for byte.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DaytonaFileNotFoundError, DaytonaNotFoundError, type Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';
import { randomFile, sha256File } from '../helpers/random-file.js';

const MiB = 1024 * 1024;

describe('SDK: file system', () => {
  let t: SdkStack;
  let s: Sandbox;
  let dir: string;
  let work: string;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox();
    dir = mkdtempSync(join(tmpdir(), 'berth-sdk-files-'));
    work = (await s.getWorkDir())!;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('creates folders, lists them and reads file details', async () => {
    await s.fs.createFolder('proj/src', '755');
    await s.fs.uploadFile(Buffer.from('print(1)\n'), 'proj/src/main.py');
    const top = await s.fs.listFiles('proj');
    assert.deepEqual(
      top.map((f) => [f.name, f.isDir]),
      [['src', true]],
    );
    const files = await s.fs.listFiles(`${work}/proj/src`);
    assert.equal(files.length, 1);
    assert.equal(files[0]!.name, 'main.py');
    assert.equal(files[0]!.size, 9);
    const info = await s.fs.getFileDetails('proj/src/main.py');
    assert.equal(info.isDir, false);
    assert.equal(info.size, 9);
    assert.equal(info.permissions, '0644');
    assert.ok(info.owner);
    const folder = await s.fs.getFileDetails('proj/src');
    assert.equal(folder.isDir, true);
    await assert.rejects(s.fs.getFileDetails('proj/nope'), DaytonaNotFoundError);
  });

  it('uploads and downloads single and bulk files, to memory and to disk', async () => {
    await s.fs.uploadFiles([
      { source: Buffer.from('alpha'), destination: 'bulk/a.txt' },
      { source: Buffer.from('beta'), destination: `${work}/bulk/deep/b.txt` },
    ]);
    const local = join(dir, 'c.txt');
    writeFileSync(local, 'gamma from disk');
    await s.fs.uploadFile(local, 'bulk/c.txt');
    assert.equal((await s.fs.downloadFile('bulk/a.txt')).toString(), 'alpha');
    const res = await s.fs.downloadFiles([
      { source: 'bulk/a.txt' },
      { source: `${work}/bulk/deep/b.txt` },
      { source: 'bulk/c.txt', destination: join(dir, 'c.back') },
      { source: 'bulk/missing.txt' },
    ]);
    assert.equal(res[0]!.result!.toString(), 'alpha');
    assert.equal(res[1]!.result!.toString(), 'beta');
    assert.equal(readFileSync(join(dir, 'c.back'), 'utf8'), 'gamma from disk');
    assert.ok(res[3]!.error, 'missing file reports an error');
    await assert.rejects(s.fs.downloadFile('bulk/missing.txt'), DaytonaFileNotFoundError);
    await s.fs.downloadFile('bulk/a.txt', join(dir, 'a.back'));
    assert.equal(readFileSync(join(dir, 'a.back'), 'utf8'), 'alpha');
    // Uploading again overwrites.
    await s.fs.uploadFile(Buffer.from('alpha2'), 'bulk/a.txt');
    assert.equal((await s.fs.downloadFile('bulk/a.txt')).toString(), 'alpha2');
  });

  it('streams uploads and downloads with progress', async () => {
    const size = 5 * MiB + 123;
    const path = join(dir, 'stream.bin');
    const sum = await randomFile(path, size);
    let sent = 0;
    await s.fs.uploadFileStream(createReadStream(path), 'streamed/s.bin', { onProgress: (p) => (sent = p.bytesSent) });
    assert.equal(sent, size);
    let received = 0;
    let total: number | undefined;
    const stream = await s.fs.downloadFileStream('streamed/s.bin', {
      onProgress: (p) => ((received = p.bytesReceived), (total = p.totalBytes)),
    });
    const back = join(dir, 'stream.back');
    await pipeline(stream, createWriteStream(back));
    assert.equal(await sha256File(back), sum);
    assert.equal(received, size);
    assert.equal(total, size);
  });

  it('finds text, searches names, replaces in files and sets permissions', async () => {
    await s.fs.uploadFiles([
      { source: Buffer.from('alpha\nTODO: first\nomega\n'), destination: 'find/a.py' },
      { source: Buffer.from('TODO: second\n'), destination: 'find/sub/b.ts' },
      { source: Buffer.from('nothing here\n'), destination: 'find/c.md' },
    ]);
    const matches = await s.fs.findFiles('find', 'TODO:');
    assert.deepEqual(matches.map((m) => [m.file.replace(/^.*\/find\//, ''), m.line, m.content.trim()]).sort(), [
      ['a.py', 2, 'TODO: first'],
      ['sub/b.ts', 1, 'TODO: second'],
    ]);
    const found = await s.fs.searchFiles('find', '*.ts');
    assert.deepEqual(
      found.files.map((f) => f.replace(/^.*\/find\//, '')),
      ['sub/b.ts'],
    );
    const replaced = await s.fs.replaceInFiles([`${work}/find/a.py`, `${work}/find/sub/b.ts`], 'TODO:', 'DONE:');
    assert.ok(
      replaced.every((r) => r.success),
      JSON.stringify(replaced),
    );
    assert.equal((await s.fs.downloadFile('find/sub/b.ts')).toString(), 'DONE: second\n');
    await s.fs.setFilePermissions('find/a.py', { mode: '755' });
    assert.equal((await s.fs.getFileDetails('find/a.py')).permissions, '0755');
  });

  it('moves and deletes files and folders', async () => {
    await s.fs.uploadFile(Buffer.from('m'), 'mv/one.txt');
    await s.fs.moveFiles('mv/one.txt', 'mv/two.txt');
    assert.deepEqual(
      (await s.fs.listFiles('mv')).map((f) => f.name),
      ['two.txt'],
    );
    await s.fs.moveFiles('mv', 'mv2');
    assert.equal((await s.fs.downloadFile('mv2/two.txt')).toString(), 'm');
    await s.fs.deleteFile('mv2/two.txt');
    assert.deepEqual(await s.fs.listFiles('mv2'), []);
    await s.fs.uploadFile(Buffer.from('x'), 'mv2/inner/x');
    await assert.rejects(s.fs.deleteFile('mv2'));
    await s.fs.deleteFile('mv2', true);
    await assert.rejects(s.fs.getFileDetails('mv2'), DaytonaNotFoundError);
  });

  it('round-trips 100 MiB with an identical sha256', async () => {
    const size = 100 * MiB;
    const path = join(dir, 'big.bin');
    const sum = await randomFile(path, size);
    await s.fs.uploadFile(path, 'big/big.bin');
    const inside = await s.process.executeCommand('sha256sum big/big.bin | cut -d" " -f1; stat -c %s big/big.bin');
    assert.equal(inside.result, `${sum}\n${size}\n`);
    const back = join(dir, 'big.back');
    await s.fs.downloadFile('big/big.bin', back);
    assert.equal(statSync(back).size, size);
    assert.equal(await sha256File(back), sum);
    const viaStream = await s.fs.downloadFileStream('big/big.bin');
    const h = createHash('sha256');
    for await (const c of viaStream) h.update(c as Buffer);
    assert.equal(h.digest('hex'), sum);
  });

  it('survives a download the client abandons halfway', async () => {
    const controller = new AbortController();
    const stream = await s.fs.downloadFileStream('big/big.bin', { signal: controller.signal });
    let got = 0;
    await assert.rejects(
      (async () => {
        for await (const c of stream) {
          got += (c as Buffer).length;
          if (got > 10 * MiB) controller.abort();
        }
      })(),
      /cancel/i,
    );
    assert.ok(got < 100 * MiB);
    // The server and the sandbox carry on normally.
    assert.equal((await s.fs.downloadFile('bulk/a.txt')).toString(), 'alpha2');
    assert.equal((await s.process.executeCommand('echo fine')).result, 'fine\n');
  });
});

// An external S3-compatible store (BERTH_S3_URL): SDK clients still upload
// through Berth's endpoint, which checks each request and forwards it signed
// with Berth's own credentials; builds read the contexts from that store; and
// archives live there (BERTH_ARCHIVE_STORE=s3). The external store here is a
// separate s3rver with signature checking on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Image } from '@daytonaio/sdk';
import { otherOrgKey, sdkStack, type SdkStack } from '../sdk/helpers.js';

const require = createRequire(import.meta.url);
const BUCKET = 'ext-contexts';

describe('images: external object store', () => {
  let t: SdkStack;
  let store: Server;
  let dir: string;
  /** Object keys the external store holds under a prefix (read from its folder: no client of ours in between). */
  const stored = (prefix: string) =>
    (readdirSync(join(dir, 'data', BUCKET), { recursive: true }) as string[]).filter(
      (f) => f.startsWith(prefix) && f.endsWith('context.tar._S3rver_object'),
    );
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-ext-s3-'));
    const S3rver = require('@20minutes/s3rver') as new (o: Record<string, unknown>) => {
      configureBuckets(): Promise<void>;
      callback(): (req: never, res: never) => void;
    };
    const Account = require('@20minutes/s3rver/lib/models/account') as new (
      id: number,
      name: string,
    ) => { createKeyPair(k: string, s: string): void };
    const s3 = new S3rver({
      directory: join(dir, 'data'),
      silent: true,
      vhostBuckets: false,
      configureBuckets: [{ name: BUCKET }],
    });
    await s3.configureBuckets();
    new Account(7, 'berth').createKeyPair('EXTERNALKEY', 'external-secret');
    store = createServer(s3.callback() as unknown as Parameters<typeof createServer>[0]);
    await new Promise<void>((r) => store.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(store.address() as { port: number }).port}`;
    t = await sdkStack({
      config: {
        s3Url: url,
        s3AccessKey: 'EXTERNALKEY',
        s3SecretKey: 'external-secret',
        s3Bucket: BUCKET,
        archiveStore: 's3',
      },
    });
  });
  after(async () => {
    await t?.close();
    await new Promise<void>((r) => (store ? store.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps build contexts in the external store and builds from them', async () => {
    const file = join(dir, 'payload.txt');
    writeFileSync(file, 'kept in the external store\n');
    const snap = await t.daytona.snapshot.create({
      name: 'ext-context',
      image: Image.base('berth/sandbox-base:latest').addLocalFile(file, '/tmp/payload.txt'),
    });
    assert.equal(snap.state, 'active');
    const keys = stored(`${t.stack.organizationId}/`);
    assert.equal(keys.length, 1, JSON.stringify(keys));
    assert.match(keys[0]!, new RegExp(`^${t.stack.organizationId}/[0-9a-f]{32}/context.tar`));
    const s = await t.sandbox({ snapshot: 'ext-context' });
    assert.equal((await s.process.executeCommand('cat /tmp/payload.txt')).result, 'kept in the external store\n');
    await s.delete(60, true);
  });

  it('keeps archives in the external store and restores from it', async () => {
    const s = await t.sandbox();
    await s.process.executeCommand('echo "survives the archive" > ~/kept.txt');
    await s.stop();
    await s.archive();
    assert.equal(s.state, 'archived');
    const archive = `archives/${t.stack.runnerId}/${s.id}.tar`;
    assert.equal(stored('archives/').length, 0, 'no context files there');
    const files = (readdirSync(join(dir, 'data', BUCKET), { recursive: true }) as string[]).filter(
      (f) => f.startsWith(archive) && f.endsWith('_S3rver_object'),
    );
    assert.equal(files.length, 1, 'the archive is in the external store');
    assert.equal(existsSync(join(t.stack.home, 'archives', `${s.id}.tar`)), false, 'and not on the host');
    await s.start();
    assert.equal((await s.process.executeCommand('cat ~/kept.txt')).result, 'survives the archive\n');
    const after = (readdirSync(join(dir, 'data', BUCKET), { recursive: true }) as string[]).filter(
      (f) => f.startsWith(archive) && f.endsWith('_S3rver_object'),
    );
    assert.equal(after.length, 0, 'a restored archive is removed');
    await s.delete(60, true);
  });

  it('still scopes each organization to its own prefix', async () => {
    const other = await otherOrgKey(t.stack, ['write:snapshots']);
    const theirs = (await t.stack.api('GET', '/object-storage/push-access', undefined, { key: other.key })).body;
    assert.equal(theirs.bucket, BUCKET);
    const c = new S3Client({
      region: theirs.region,
      endpoint: theirs.storageUrl,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: theirs.accessKey, secretAccessKey: theirs.secret },
    });
    await assert.rejects(
      c.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `${t.stack.organizationId}/0123456789abcdef0123456789abcdef/context.tar`,
          Body: 'x',
        }),
      ),
      /AccessDenied|reach/,
    );
    await c.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${other.organizationId}/0123456789abcdef0123456789abcdef/context.tar`,
        Body: 'mine',
      }),
    );
    assert.equal(stored(`${other.organizationId}/`).length, 1);
    assert.equal(stored(`${t.stack.organizationId}/`).length, 1, 'nothing written into the other organization');
    c.destroy();
  });
});

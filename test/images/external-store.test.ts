// An external S3-compatible store (BERTH_S3_URL): SDK clients still upload
// through Berth's endpoint, which checks each request and forwards it signed
// with Berth's own credentials; builds read the contexts from that store; and
// archives live there (BERTH_ARCHIVE_STORE=s3). The external store here is a
// separate s3rver with signature checking on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Image } from '@daytonaio/sdk';
import { otherOrgKey, sdkStack, type SdkStack } from '../sdk/helpers.js';
import { startS3Server, type S3Server } from '../helpers/s3-server.js';

const BUCKET = 'ext-contexts';

describe('images: external object store', () => {
  let t: SdkStack;
  let s3: S3Server;
  /** Build contexts the external store holds under a prefix. */
  const stored = (prefix: string) => s3.keys(prefix).filter((k) => k.endsWith('context.tar'));
  before(async () => {
    s3 = await startS3Server(BUCKET);
    t = await sdkStack({
      config: {
        s3Url: s3.url,
        s3AccessKey: s3.accessKey,
        s3SecretKey: s3.secretKey,
        s3Bucket: BUCKET,
        archiveStore: 's3',
      },
    });
  });
  after(async () => {
    await t?.close();
    await s3?.close();
  });

  it('keeps build contexts in the external store and builds from them', async () => {
    const file = join(s3.dir, 'payload.txt');
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
    assert.deepEqual(s3.keys(archive), [archive], 'the archive is in the external store');
    assert.equal(existsSync(join(t.stack.home, 'archives', `${s.id}.tar`)), false, 'and not on the host');
    await s.start();
    assert.equal((await s.process.executeCommand('cat ~/kept.txt')).result, 'survives the archive\n');
    assert.deepEqual(s3.keys(archive), [], 'a restored archive is removed');
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

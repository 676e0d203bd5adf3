// Uploads a build-context folder the way the SDK does: a tar of the folder's
// contents to `{organizationId}/{md5}/context.tar` in the object store, with
// the push credentials the server hands out. Returns the hash to send.
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { AppError } from '../common/errors.js';
import type { ApiClient } from './client.js';
import type { StorageAccess } from '../common/wire/object-storage.js';

/** Tars `dir` (its contents at the archive root, owners dropped) into a temporary file; returns it and its md5. */
async function tarFolder(dir: string): Promise<{ file: string; md5: string; size: number; cleanup: () => void }> {
  const tmp = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
  const file = join(tmp, 'context.tar');
  const pack = tar.pack();
  const md5 = createHash('md5');
  const done = pipeline(
    pack,
    async function* (src) {
      for await (const chunk of src) {
        md5.update(chunk as Buffer);
        yield chunk;
      }
    },
    createWriteStream(file),
  );
  const walk = async (d: string): Promise<void> => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        pack.entry({ name: rel + '/', type: 'directory', mode: st.mode & 0o7777, mtime: st.mtime });
        await walk(p);
      } else if (st.isSymbolicLink()) {
        pack.entry({ name: rel, type: 'symlink', linkname: readlinkSync(p), mode: st.mode & 0o7777, mtime: st.mtime });
      } else if (st.isFile()) {
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ name: rel, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime }, (e) =>
            e ? reject(e) : resolve(),
          );
          createReadStream(p).once('error', reject).pipe(entry);
        });
      }
    }
  };
  await walk(dir);
  pack.finalize();
  await done;
  return {
    file,
    md5: md5.digest('hex'),
    size: statSync(file).size,
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

export async function uploadContext(api: ApiClient, dir: string): Promise<string> {
  const access = await api.request<StorageAccess>('GET', '/object-storage/push-access');
  const t = await tarFolder(dir);
  const { HeadObjectCommand, PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  // No trailer checksums: Berth's endpoint takes signed or plain payloads only.
  const s3 = new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    region: access.region,
    endpoint: access.storageUrl,
    forcePathStyle: true,
    credentials: {
      accessKeyId: access.accessKey,
      secretAccessKey: access.secret,
      ...(access.sessionToken ? { sessionToken: access.sessionToken } : {}),
    },
  });
  const Key = `${access.organizationId}/${t.md5}/context.tar`;
  try {
    const exists = await s3.send(new HeadObjectCommand({ Bucket: access.bucket, Key })).then(
      () => true,
      () => false,
    );
    if (!exists)
      await s3.send(
        new PutObjectCommand({ Bucket: access.bucket, Key, Body: createReadStream(t.file), ContentLength: t.size }),
      );
    return t.md5;
  } catch (e) {
    throw new AppError('unavailable', `could not upload the build context: ${(e as Error).message}`, {
      hint: `check that ${access.storageUrl} is reachable from here`,
    });
  } finally {
    s3.destroy();
    t.cleanup();
  }
}

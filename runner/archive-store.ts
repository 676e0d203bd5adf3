// Where archives live when they are not in BERTH_HOME/archives: an
// S3-compatible store (BERTH_ARCHIVE_STORE=s3, the store of BERTH_S3_URL),
// under `archives/<runnerId>/<sandboxId>.tar`. The runner still writes and
// reads a local file (export and restore stream through it); this moves it.
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../common/errors.js';

export interface ArchiveStoreOptions {
  url: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  runnerId: string;
}

const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export class S3ArchiveStore {
  private client: S3Client | null = null;
  private lib: typeof import('@aws-sdk/client-s3') | null = null;

  constructor(private readonly o: ArchiveStoreOptions) {}

  /** Where this runner's archives are in the bucket. */
  get prefix(): string {
    return `archives/${this.o.runnerId}/`;
  }

  private key(sandboxId: string): string {
    return `${this.prefix}${sandboxId}.tar`;
  }

  private async s3(): Promise<{ client: S3Client; lib: typeof import('@aws-sdk/client-s3') }> {
    this.lib ??= await import('@aws-sdk/client-s3');
    this.client ??= new this.lib.S3Client({
      region: this.o.region,
      endpoint: this.o.url,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: this.o.accessKey, secretAccessKey: this.o.secretKey },
    });
    return { client: this.client, lib: this.lib };
  }

  private unavailable(what: string, e: unknown): AppError {
    return new AppError('unavailable', `the archive store could not ${what}: ${(e as Error).message}`, {
      hint: 'check BERTH_S3_URL, its bucket and credentials; the sandbox keeps its state and the step is retried',
      recoverable: true,
      reason: 'ARCHIVE_STORE_UNAVAILABLE',
    });
  }

  /** Uploads a finished local archive, then removes the local file. */
  async put(sandboxId: string, file: string): Promise<void> {
    const { client, lib } = await this.s3();
    try {
      await client.send(
        new lib.PutObjectCommand({
          Bucket: this.o.bucket,
          Key: this.key(sandboxId),
          Body: createReadStream(file),
          ContentLength: statSync(file).size,
        }),
      );
    } catch (e) {
      throw this.unavailable('store an archive', e);
    }
    rmSync(file, { force: true });
  }

  async exists(sandboxId: string): Promise<boolean> {
    const { client, lib } = await this.s3();
    try {
      await client.send(new lib.HeadObjectCommand({ Bucket: this.o.bucket, Key: this.key(sandboxId) }));
      return true;
    } catch (e) {
      if (status(e) === 404 || (e as Error).name === 'NotFound') return false;
      throw this.unavailable('look up an archive', e);
    }
  }

  /** Downloads the archive to `file` (whole, then renamed); false when there is none. */
  async get(sandboxId: string, file: string): Promise<boolean> {
    const { client, lib } = await this.s3();
    let body: Readable;
    try {
      body = (await client.send(new lib.GetObjectCommand({ Bucket: this.o.bucket, Key: this.key(sandboxId) })))
        .Body as Readable;
    } catch (e) {
      if (status(e) === 404 || (e as Error).name === 'NoSuchKey') return false;
      throw this.unavailable('read an archive', e);
    }
    const tmp = `${file}.download`;
    await pipeline(body, createWriteStream(tmp));
    renameSync(tmp, file);
    return true;
  }

  async remove(sandboxId: string): Promise<void> {
    const { client, lib } = await this.s3();
    await client
      .send(new lib.DeleteObjectCommand({ Bucket: this.o.bucket, Key: this.key(sandboxId) }))
      .catch((e: unknown) => {
        if (status(e) !== 404) throw this.unavailable('delete an archive', e);
      });
  }

  /**
   * Takes over the archive another runner (lost for good) kept under `prefix` in this bucket:
   * true once this runner holds it (also when it already did), false when there is none.
   */
  async adopt(sandboxId: string, prefix: string): Promise<boolean> {
    if (await this.exists(sandboxId)) return true;
    const { client, lib } = await this.s3();
    const from = `${prefix}${sandboxId}.tar`;
    try {
      await client.send(
        new lib.CopyObjectCommand({
          Bucket: this.o.bucket,
          Key: this.key(sandboxId),
          CopySource: encodeURI(`${this.o.bucket}/${from}`),
        }),
      );
    } catch (e) {
      if (status(e) === 404 || (e as Error).name === 'NoSuchKey') return false;
      throw this.unavailable('take over an archive', e);
    }
    await client.send(new lib.DeleteObjectCommand({ Bucket: this.o.bucket, Key: from })).catch(() => {});
    return true;
  }

  /** Sandbox ids with an archive of this runner (for the reaper). */
  async list(): Promise<string[]> {
    const { client, lib } = await this.s3();
    const prefix = this.prefix;
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const r = await client.send(
        new lib.ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const c of r.Contents ?? []) if (c.Key?.endsWith('.tar')) ids.push(c.Key.slice(prefix.length, -4));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return ids;
  }

  close(): void {
    this.client?.destroy();
  }
}

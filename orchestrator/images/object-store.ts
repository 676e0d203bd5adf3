// The object store build contexts go through (and archives can live in).
// SDK clients upload `{organizationId}/{md5}/context.tar` with short-lived
// credentials of their organization (push access); every request is checked
// here — the key, its expiry, and that it touches its own organization's
// prefix only — before the S3 endpoint (http/object-storage.ts) serves it.
// Berth itself reads through the same endpoint with an internal key, or
// straight from the external store (BERTH_S3_URL) with its own credentials.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { randomToken } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import type { SecretBox } from '../secrets/crypto.js';
import type { Store } from '../store/db.js';
import type { ContextSource } from './builds.js';
import { ObjectCredentialRepo } from './object-credentials-repo.js';
import type { StorageAccess } from '../../common/wire/object-storage.js';

/** The embedded store has one region; clients sign for it. */
const REGION = 'us-east-1';
/** Push credentials last this long (an upload of a large context fits easily). */
const PUSH_ACCESS_MS = 3_600_000;

export type { StorageAccess };

/** One S3 request as the endpoint sees it, before the store serves it. */
export interface ObjectRequest {
  accessKey: string;
  method: string;
  bucket: string;
  /** Object key; empty for bucket requests (listing). */
  key: string;
  query: URLSearchParams;
  contentLength: number;
}

export interface ObjectStoreDeps {
  store: Store;
  clock: Clock;
  config: Config;
  box: SecretBox;
  /** The key Berth itself uses on its own endpoint (made per process). */
  internal: { accessKey: string; secret: string };
}

export class ObjectStore implements ContextSource {
  private endpoint = '';
  private client: S3Client | null = null;
  private readonly credentials: ObjectCredentialRepo;

  constructor(private readonly d: ObjectStoreDeps) {
    this.credentials = new ObjectCredentialRepo(d.store);
  }

  /** Where the embedded endpoint listens (known once the HTTP server is up). */
  setEndpoint(url: string): void {
    this.endpoint = url;
    this.client = null;
  }

  get bucket(): string {
    return this.d.config.s3Bucket;
  }

  /** The S3 client is loaded on first use: most servers never read a build context. */
  private async s3(): Promise<{ client: S3Client; lib: typeof import('@aws-sdk/client-s3') }> {
    const lib = await import('@aws-sdk/client-s3');
    if (this.client) return { client: this.client, lib };
    const c = this.d.config;
    if (!c.s3Url && !this.endpoint)
      throw new AppError('unavailable', 'the object store is not serving yet', { recoverable: true });
    this.client = new lib.S3Client({
      region: c.s3Url ? c.s3Region : REGION,
      endpoint: c.s3Url ?? this.endpoint,
      forcePathStyle: true,
      // The embedded endpoint takes signed or plain payloads only (no trailer checksums).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: c.s3Url
        ? { accessKeyId: c.s3AccessKey ?? '', secretAccessKey: c.s3SecretKey ?? '' }
        : { accessKeyId: this.d.internal.accessKey, secretAccessKey: this.d.internal.secret },
    });
    return { client: this.client, lib };
  }

  /** `GET /api/object-storage/push-access`: credentials for the caller's organization prefix only. */
  async pushAccess(p: Principal): Promise<StorageAccess> {
    requirePermission(p, 'write:snapshots');
    const now = this.d.clock.now().getTime();
    const accessKey = `BK${randomToken(9)
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, 'X')}`;
    const secret = randomToken(30);
    await this.credentials.insert({
      access_key: accessKey,
      organization_id: p.organizationId,
      secret: this.d.box.seal(secret, `s3:${accessKey}`),
      expires_at: now + PUSH_ACCESS_MS,
      created_at: now,
    });
    await this.credentials.removeExpired(now);
    return {
      accessKey,
      secret,
      sessionToken: '',
      storageUrl: this.d.config.publicUrl,
      organizationId: p.organizationId,
      bucket: this.bucket,
      region: REGION,
    };
  }

  /**
   * The secret of `accessKey` if it may make this request: the internal key
   * may do anything; an organization's key may list, read and write objects
   * under its own prefix only, and upload no more than a build context may hold.
   */
  async authorize(r: ObjectRequest): Promise<string> {
    const denied = (why: string) => new AppError('forbidden', why, { reason: 'AccessDenied' });
    if (r.accessKey === this.d.internal.accessKey) return this.d.internal.secret;
    const row = await this.credentials.byAccessKey(r.accessKey);
    if (!row || row.expires_at <= this.d.clock.now().getTime())
      throw new AppError('unauthorized', 'unknown or expired access key', {
        reason: 'InvalidAccessKeyId',
        hint: 'get new credentials with GET /api/object-storage/push-access',
      });
    if (r.bucket !== this.bucket) throw denied(`bucket ${r.bucket} is not this store's`);
    const prefix = `${row.organization_id}/`;
    const target = r.key || r.query.get('prefix') || '';
    if (!target.startsWith(prefix) || target.split('/').includes('..'))
      throw denied(`an organization's credentials reach ${prefix}* only`);
    const method = r.method.toUpperCase();
    if (method === 'DELETE' && !r.query.has('uploadId'))
      throw denied('objects cannot be deleted with push credentials');
    if (!['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].includes(method)) throw denied(`${method} is not allowed`);
    if (r.contentLength > this.d.config.buildContextLimitBytes) {
      throw new AppError('payload_too_large', `an upload over ${this.d.config.buildContextLimitBytes} bytes`, {
        reason: 'EntityTooLarge',
        hint: 'build contexts are limited by BERTH_BUILD_CONTEXT_LIMIT_BYTES',
      });
    }
    return this.d.box.open(row.secret, `s3:${r.accessKey}`);
  }

  private keyOf(organizationId: string, hash: string): string {
    return `${organizationId}/${hash}/context.tar`;
  }

  async exists(organizationId: string, hash: string): Promise<boolean> {
    try {
      const { client, lib } = await this.s3();
      await client.send(new lib.HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(organizationId, hash) }));
      return true;
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (e as Error).name === 'NotFound' || (e as Error).name === 'NoSuchKey') return false;
      throw new AppError('unavailable', `the object store did not answer: ${(e as Error).message}`, {
        hint: this.d.config.s3Url
          ? 'check BERTH_S3_URL, its bucket and credentials'
          : 'retry; the server logs say more',
        recoverable: true,
      });
    }
  }

  async open(organizationId: string, hash: string): Promise<Readable> {
    const { client, lib } = await this.s3();
    const r = await client.send(
      new lib.GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(organizationId, hash) }),
    );
    return r.Body as Readable;
  }

  close(): void {
    this.client?.destroy();
    this.client = null;
  }
}

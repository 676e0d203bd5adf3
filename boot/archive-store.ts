// The archive store a runner keeps archives in, from its configuration: the
// same for `berth serve`'s embedded runner and for `berth runner`.
import { AppError } from '../common/errors.js';
import { S3ArchiveStore } from '../runner/archive-store.js';

export interface ArchiveStoreSettings {
  archiveStore: 'local' | 's3';
  s3Url?: string | undefined;
  s3Region: string;
  s3Bucket: string;
  s3AccessKey?: string | undefined;
  s3SecretKey?: string | undefined;
  runnerId: string;
}

/** The S3 store when BERTH_ARCHIVE_STORE=s3 (refused without the external store's settings); else none. */
export function archiveStoreFrom(c: ArchiveStoreSettings): S3ArchiveStore | undefined {
  if (c.archiveStore !== 's3') return undefined;
  if (!c.s3Url || !c.s3AccessKey || !c.s3SecretKey)
    throw new AppError(
      'invalid_argument',
      'BERTH_ARCHIVE_STORE=s3 needs an external store: BERTH_S3_URL, BERTH_S3_ACCESS_KEY and BERTH_S3_SECRET_KEY',
      { hint: 'set them, or keep archives local (BERTH_ARCHIVE_STORE=local)' },
    );
  return new S3ArchiveStore({
    url: c.s3Url,
    region: c.s3Region,
    bucket: c.s3Bucket,
    accessKey: c.s3AccessKey,
    secretKey: c.s3SecretKey,
    runnerId: c.runnerId,
  });
}

// What `GET /api/object-storage/push-access` answers (the SDK's and the CLI's
// credentials for uploading a build context to the S3-compatible store).

export interface StorageAccess {
  accessKey: string;
  secret: string;
  sessionToken: string;
  storageUrl: string;
  organizationId: string;
  bucket: string;
  region: string;
}

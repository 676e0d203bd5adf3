// An S3-compatible store for tests that need an external one (BERTH_S3_URL):
// s3rver over HTTP on 127.0.0.1, signature checking on, one bucket, its
// objects in a folder the test can read directly (no client of ours in between).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export interface S3Server {
  url: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** The folder it keeps its data in (the test's own files may go next to it). */
  dir: string;
  /** Keys of the objects stored under `prefix`, read from its folder. */
  keys(prefix: string): string[];
  close(): Promise<void>;
}

export async function startS3Server(bucket: string): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-s3-'));
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
    configureBuckets: [{ name: bucket }],
  });
  await s3.configureBuckets();
  new Account(7, 'berth').createKeyPair('EXTERNALKEY', 'external-secret');
  const server = createServer(s3.callback() as unknown as Parameters<typeof createServer>[0]);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const suffix = '._S3rver_object';
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    bucket,
    accessKey: 'EXTERNALKEY',
    secretKey: 'external-secret',
    dir,
    keys: (prefix) =>
      (readdirSync(join(dir, 'data', bucket), { recursive: true }) as string[])
        .filter((f) => f.startsWith(prefix) && f.endsWith(suffix))
        .map((f) => f.slice(0, -suffix.length)),
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Large files of random bytes for transfer tests and benches, written in
// 1 MiB pieces (never whole in memory), and their sha256.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const MiB = 1 << 20;

/** Writes `size` random bytes to `path`; resolves with their sha256 (hex). */
export async function randomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  let left = size;
  await pipeline(
    Readable.from(
      (function* () {
        while (left > 0) {
          const b = randomBytes(Math.min(MiB, left));
          left -= b.length;
          hash.update(b);
          yield b;
        }
      })(),
    ),
    createWriteStream(path),
  );
  return hash.digest('hex');
}

/** The sha256 (hex) of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

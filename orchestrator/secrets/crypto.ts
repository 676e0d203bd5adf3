// Secrets at rest: AES-256-GCM under one server key, with the secret's
// organization and id as associated data, so a ciphertext copied to another
// row or organization does not decrypt. Format: v1.<iv>.<tag>.<ciphertext>
// (base64url).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../common/errors.js';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32)
      throw new AppError('invalid_argument', 'the secrets key must be 32 bytes', {
        hint: 'set BERTH_SECRETS_KEY to 32 random bytes as base64 (openssl rand -base64 32)',
      });
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, aad: string): string {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || ct === undefined)
      throw new AppError('internal', 'stored secret has an unknown format', { hint: 're-create the secret' });
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      d.setAAD(Buffer.from(aad));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new AppError('internal', 'a stored secret cannot be decrypted with this server key', {
        hint: 'every replica needs the same BERTH_SECRETS_KEY; re-create the secret if the key was lost',
      });
    }
  }
}

/** BERTH_SECRETS_KEY (base64 or hex of 32 bytes), else a key file in BERTH_HOME made on first start (mode 0600). */
export function resolveSecretsKey(configured: string | undefined, home: string): Buffer {
  if (configured) {
    const raw = /^[0-9a-fA-F]{64}$/.test(configured)
      ? Buffer.from(configured, 'hex')
      : Buffer.from(configured, 'base64');
    if (raw.length !== 32)
      throw new AppError('invalid_argument', 'BERTH_SECRETS_KEY must hold 32 bytes (base64 or 64 hex digits)', {
        hint: 'generate one with `openssl rand -base64 32`',
      });
    return raw;
  }
  const file = join(home, 'secrets.key');
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first
    }
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new AppError('invalid_argument', `${file} does not hold a 32-byte key`, {
      hint: 'restore it from a backup, or set BERTH_SECRETS_KEY',
    });
  return key;
}

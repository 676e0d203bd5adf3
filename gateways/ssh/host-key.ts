// The gateway's host key: made on first start (ed25519), kept in BERTH_HOME
// so clients see the same key after every restart. Replicas behind one
// address must share this file.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { AppError } from '../../common/errors.js';
import { sshFingerprint } from '../../orchestrator/index.js';

export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

export interface HostKey {
  /** OpenSSH private key text, for ssh2. */
  privateKey: string;
  /** `SHA256:…`, as `ssh-keygen -lf` and the first-connection prompt show it. */
  fingerprint: string;
  /** `ssh-ed25519 AAAA…` line, for a known_hosts file. */
  publicKey: string;
}

/** ssh2's key maker drops a leading zero byte of the public key (about 1 key in 128), making a key nothing can read: keep one that reads back. */
function newKey(): string {
  for (;;) {
    const text = ssh2.utils.generateKeyPairSync('ed25519').private;
    const parsed = ssh2.utils.parseKey(text);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key && !(key instanceof Error) && key.isPrivateKey()) return text;
  }
}

export function loadHostKey(home: string): HostKey {
  const file = join(home, HOST_KEY_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new AppError('unavailable', `cannot read the SSH host key ${file}: ${(e as Error).message}`, {
        hint: 'check the permissions of BERTH_HOME',
      });
    text = newKey();
    // Written aside and renamed: a crash never leaves half a key behind.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, file);
  }
  const parsed = ssh2.utils.parseKey(text);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    throw new AppError('invalid_argument', `the SSH host key ${file} is not a private key ssh2 can read`, {
      hint: 'move it away and start again to make a new one (clients will then warn that the host key changed)',
    });
  }
  const blob = key.getPublicSSH();
  return { privateKey: text, fingerprint: sshFingerprint(blob), publicKey: `${key.type} ${blob.toString('base64')}` };
}

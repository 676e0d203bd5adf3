// `berth sandbox ssh <sandbox> [-- cmd]`: a one-minute access token, then the
// system's `ssh` with the server's host key from GET /api/config (so the
// first connection is checked, not trusted blindly), exiting with ssh's code;
// the token is revoked afterwards. `berth ssh-key add|list|remove`: the
// user's public keys for `ssh <sandbox>@host -p 2222`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../common/errors.js';
import { ApiClient, resolveSettings } from '../client.js';
import { print, table } from '../output.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string; _: string[] };
const client = (f: Flags) => new ApiClient(resolveSettings(f));

interface Access {
  token: string;
  sshCommand: string;
}

/** Logs into the sandbox with the system ssh; returns ssh's exit code. */
export async function sandboxSsh(id: string, f: Flags): Promise<number> {
  const api = client(f);
  const config = await api.request<{ ssh: { hostKey: string } | null }>('GET', '/config');
  if (!config.ssh)
    throw new AppError('failed_precondition', 'SSH is off on this server', {
      hint: 'start it with BERTH_SSH_PORT set (default 2222)',
    });
  const path = `/sandbox/${encodeURIComponent(id)}/ssh-access`;
  // Enough to log in: an open session outlives its token's expiry.
  const access = await api.request<Access>('POST', path, undefined, { expiresInMinutes: '1' });
  const [, ...args] = access.sshCommand.split(' ');
  const dir = mkdtempSync(join(tmpdir(), 'berth-ssh-'));
  const known = join(dir, 'known_hosts');
  // The host key as the API (the channel the user already trusts) reports it, for whatever host name sshCommand uses.
  writeFileSync(known, `* ${config.ssh.hostKey}\n`);
  try {
    const child = spawn(
      'ssh',
      ['-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes', ...args, ...f._],
      { stdio: 'inherit' },
    );
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (e) =>
        reject(
          new AppError('failed_precondition', `cannot run ssh: ${e.message}`, {
            hint: 'install the OpenSSH client (Debian: apt-get install openssh-client)',
          }),
        ),
      );
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 255 : 0)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await api.request('DELETE', path, undefined, { token: access.token }).catch(() => {});
  }
}

interface Key {
  id: string;
  name: string;
  type: string;
  fingerprint: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** The default public key: the first of ~/.ssh/id_ed25519.pub, id_ecdsa.pub, id_rsa.pub. */
function defaultKeyFile(): string {
  for (const n of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const p = join(homedir(), '.ssh', `${n}.pub`);
    if (existsSync(p)) return p;
  }
  throw new AppError('invalid_argument', 'no public key file given and none in ~/.ssh', {
    hint: 'make one with `ssh-keygen -t ed25519`, or name the .pub file: berth ssh-key add ~/.ssh/mykey.pub',
  });
}

export async function keyAdd(file: string | undefined, f: Flags): Promise<void> {
  const path = file ?? defaultKeyFile();
  let publicKey: string;
  try {
    publicKey = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AppError('invalid_argument', `cannot read ${path}: ${(e as Error).message}`, {
      hint: 'name the public key file (.pub)',
    });
  }
  const k = await client(f).request<Key>('POST', '/users/me/ssh-keys', {
    publicKey,
    ...(f.name ? { name: String(f.name) } : {}),
  });
  print(
    k,
    !!f.json,
    () => `added SSH key ${k.name} (${k.fingerprint}); log in with: ssh <sandbox-name-or-id>@<host> -p <port>\n`,
  );
}

export async function keyList(f: Flags): Promise<void> {
  const keys = await client(f).request<Key[]>('GET', '/users/me/ssh-keys');
  print(keys, !!f.json, () =>
    table(keys as unknown as Record<string, unknown>[], ['name', 'type', 'fingerprint', 'createdAt', 'lastUsedAt']),
  );
}

export async function keyRemove(ref: string, f: Flags): Promise<void> {
  await client(f).request('DELETE', `/users/me/ssh-keys/${encodeURIComponent(ref)}`);
  process.stdout.write(`removed SSH key ${ref}\n`);
}

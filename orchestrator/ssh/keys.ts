// People's SSH public keys (`POST/GET/DELETE /api/users/me/ssh-keys`): with
// one registered, `ssh <sandbox>@host -p 2222` logs its user into any sandbox
// of their organizations their role there may run code in, checked on every
// login. A key belongs to one user. Registering one hands out shell access,
// so the registering credential must hold write:sandboxes itself.
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { AppError, notFound } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { Bus } from '../bus/index.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import type { Store } from '../store/db.js';
import { SshKeyRepo, type SshKeyRow } from './keys-repo.js';

/** Published when a key is removed, so sessions opened with it end. */
export const SSH_KEY_REMOVED = 'ssh.key.removed';
export interface SshKeyRemovedEvent {
  keyId: string;
  userId: string;
}

export interface SshKey {
  id: string;
  name: string;
  type: string;
  fingerprint: string;
  publicKey: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._:@+-]{0,99}$/;
const MAX_KEYS_PER_USER = 100;

/**
 * The name of a key added without one whose comment is no valid name: `key-` and 8 characters of its
 * fingerprint, a base64 `/` made `_` (names take no `/`: one key in eight was refused without this).
 */
export const defaultKeyName = (fingerprint: string): string => `key-${fingerprint.slice(7, 15).replace(/\//g, '_')}`;

/** `SHA256:<base64, no padding>` of a public key blob, as `ssh-keygen -l` prints it. */
export const sshFingerprint = (blob: Buffer): string =>
  `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

const toKey = (r: SshKeyRow): SshKey => ({
  id: r.id,
  name: r.name,
  type: r.key_type,
  fingerprint: r.fingerprint,
  publicKey: r.public_key,
  createdAt: new Date(Number(r.created_at)),
  lastUsedAt: r.last_used_at ? new Date(Number(r.last_used_at)) : null,
});

function parsePublicKey(text: string): { type: string; blob: Buffer; comment: string } {
  const line = text.trim();
  if (/PRIVATE KEY/.test(line))
    throw new AppError('invalid_argument', 'that is a private key; never send it anywhere', {
      hint: 'send the public half: the contents of the .pub file (e.g. ~/.ssh/id_ed25519.pub)',
    });
  const parsed = line.length > 16_384 || line.includes('\n') ? new Error('too long') : ssh2.utils.parseKey(line);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || key.isPrivateKey()) {
    throw new AppError('invalid_argument', 'not an OpenSSH public key', {
      hint: 'send one line like "ssh-ed25519 AAAAC3Nza… you@laptop" (the contents of ~/.ssh/id_ed25519.pub)',
    });
  }
  return { type: key.type, blob: key.getPublicSSH(), comment: key.comment };
}

export class SshKeyService {
  private readonly keys: SshKeyRepo;

  constructor(private readonly d: { store: Store; clock: Clock; bus: Bus }) {
    this.keys = new SshKeyRepo(d.store);
  }

  private static personal(p: Principal): void {
    if (p.sandboxId || p.userId === 'system')
      throw new AppError('forbidden', 'SSH keys belong to people: use an API key', {
        hint: 'call /api/users/me/ssh-keys with your API key',
      });
  }

  async add(p: Principal, input: { publicKey: string; name?: string }): Promise<SshKey> {
    SshKeyService.personal(p);
    requirePermission(p, 'write:sandboxes');
    const k = parsePublicKey(input.publicKey);
    const fingerprint = sshFingerprint(k.blob);
    const name = input.name ?? (NAME_RE.test(k.comment) ? k.comment : defaultKeyName(fingerprint));
    if (!NAME_RE.test(name))
      throw new AppError('invalid_argument', 'key names are 1-100 letters, digits, spaces and . _ : @ + -', {
        hint: 'e.g. "laptop"',
      });
    if ((await this.keys.countOf(p.userId)) >= MAX_KEYS_PER_USER) {
      throw new AppError('quota_exceeded', `at most ${MAX_KEYS_PER_USER} SSH keys per user`, {
        hint: 'remove keys you no longer use (berth ssh-key remove)',
      });
    }
    if (await this.keys.byFingerprint(fingerprint))
      throw new AppError('conflict', `the key ${fingerprint} is already registered`, {
        hint: 'each key belongs to one user; list yours with GET /api/users/me/ssh-keys',
      });
    if (await this.keys.byName(p.userId, name))
      throw new AppError('conflict', `you already have an SSH key named ${name}`, {
        hint: 'pick another name, or remove that key first',
      });
    const row: SshKeyRow = {
      id: newId(),
      user_id: p.userId,
      name,
      key_type: k.type,
      fingerprint,
      // Stored normalised: type, base64 blob, and the name as the comment.
      public_key: `${k.type} ${k.blob.toString('base64')} ${name}`,
      created_at: this.d.clock.now().getTime(),
      last_used_at: null,
    };
    await this.keys.insert(row);
    return toKey(row);
  }

  async list(p: Principal): Promise<SshKey[]> {
    SshKeyService.personal(p);
    return (await this.keys.listOf(p.userId)).map(toKey);
  }

  /** Removes one of the caller's keys by id, name or fingerprint; sessions opened with it end. */
  async remove(p: Principal, ref: string): Promise<SshKey> {
    SshKeyService.personal(p);
    const r = await this.keys.findOf(p.userId, ref);
    if (!r) throw notFound(`SSH key ${ref}`, 'list your keys with GET /api/users/me/ssh-keys or `berth ssh-key list`');
    await this.keys.remove(r.id);
    await this.d.bus
      .publish(SSH_KEY_REMOVED, { keyId: r.id, userId: r.user_id } satisfies SshKeyRemovedEvent)
      .catch(() => {});
    return toKey(r);
  }

  /** The registered key with this public blob (for the gateway's login), or null. */
  async find(blob: Buffer): Promise<{ id: string; userId: string; fingerprint: string } | null> {
    const r = await this.keys.byFingerprint(sshFingerprint(blob));
    return r ? { id: r.id, userId: r.user_id, fingerprint: r.fingerprint } : null;
  }

  async markUsed(id: string): Promise<void> {
    await this.keys.noteUse(id, this.d.clock.now().getTime()).catch(() => {});
  }
}

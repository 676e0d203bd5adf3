// The SSH gateway's host key: made once per BERTH_HOME, the same on every
// later start, and always one ssh2 can read back (its key maker drops a
// leading zero byte about once in 128 keys; 300 homes catch that ~90% of runs).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_KEY_FILE, loadHostKey } from '../../gateways/ssh/host-key.js';

it('makes a readable host key once per home and keeps it', () => {
  for (let i = 0; i < 300; i++) {
    const home = mkdtempSync(join(tmpdir(), 'berth-hostkey-'));
    try {
      const first = loadHostKey(home);
      assert.match(first.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.match(first.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43}$/);
      assert.equal(loadHostKey(home).fingerprint, first.fingerprint);
      assert.equal(statSync(join(home, HOST_KEY_FILE)).mode & 0o777, 0o600);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
});

// The name an SSH key gets when it is added without one and its comment is no
// valid name: taken from its fingerprint, whose base64 may hold `/`, which
// names refuse. Before, one key in eight (a `/` among 8 base64 characters)
// was refused with "key names are 1-100 letters…" though the user gave no name.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultKeyName } from '../../orchestrator/ssh/keys.js';

it('names a key from its fingerprint with no character a name refuses', () => {
  assert.equal(defaultKeyName('SHA256:ab/cd+e/fGHIJKLMNOP'), 'key-ab_cd+e_');
  assert.match(defaultKeyName('SHA256:abcdefghXYZ'), /^key-abcdefgh$/);
});

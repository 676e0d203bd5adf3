// Bad input and denials on the tenancy endpoints: a stable code, a message
// and a hint that ends with the fix, never a 500; nothing is left behind.
// One row per case (the pattern of test/e2e/bad-input.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../helpers/stack.js';
import { as } from './helpers.js';

type Row = [
  name: string,
  method: string,
  path: string,
  body: unknown,
  status: number,
  code: string,
  key?: 'readonly' | 'none',
];

describe('bad input on tenancy endpoints', () => {
  let stack: Stack;
  let org: string;
  let readonly: string;
  const counts = async () => {
    const k = stack.server.store.knex;
    const n = async (t: string) => Number(((await k(t).count({ n: '*' }).first()) as { n: number | string }).n);
    return {
      organizations: await n('organizations'),
      keys: await n('api_keys'),
      secrets: await n('secrets'),
      invitations: await n('invitations'),
      sandboxes: await n('sandboxes'),
    };
  };
  let before0: Awaited<ReturnType<typeof counts>>;

  before(async () => {
    stack = await startStack();
    org = (await stack.api('GET', '/api-keys/current')).body.organizationId;
    readonly = (await stack.api('POST', '/api-keys', { name: 'ro', permissions: [] })).body.value;
    before0 = await counts();
  });
  after(async () => stack?.close());

  const rows = (): Row[] => [
    ['organization without a name', 'POST', '/organizations', {}, 400, 'invalid_argument'],
    ['organization name of spaces', 'POST', '/organizations', { name: '   ' }, 400, 'invalid_argument'],
    [
      'organization with an unknown field',
      'POST',
      '/organizations',
      { name: 'x', plan: 'gold' },
      400,
      'invalid_argument',
    ],
    ['organization by a read-only key', 'POST', '/organizations', { name: 'x' }, 403, 'forbidden', 'readonly'],
    ['unknown organization', 'GET', '/organizations/nope/users', undefined, 404, 'not_found'],
    [
      'invitation to a non-address',
      'POST',
      `/organizations/${org}/invitations`,
      { email: 'not-an-email' },
      400,
      'invalid_argument',
    ],
    [
      'invitation with an unknown role',
      'POST',
      `/organizations/${org}/invitations`,
      { email: 'a@b.test', role: 'god' },
      400,
      'invalid_argument',
    ],
    [
      'invitation that expired before it was made',
      'POST',
      `/organizations/${org}/invitations`,
      { email: 'a@b.test', expiresAt: '2000-01-01T00:00:00Z' },
      400,
      'invalid_argument',
    ],
    [
      'invitation of an existing member',
      'POST',
      `/organizations/${org}/invitations`,
      { email: 'admin@localhost' },
      409,
      'conflict',
    ],
    ['accept without a token', 'POST', '/invitations/accept', {}, 400, 'invalid_argument', 'none'],
    [
      'accept with a made-up token',
      'POST',
      '/invitations/accept',
      { token: 'berth_inv_nope' },
      404,
      'not_found',
      'none',
    ],
    [
      'role change to an unknown role',
      'POST',
      `/organizations/${org}/users/x/access`,
      { role: 'god' },
      400,
      'invalid_argument',
    ],
    [
      'role change of a non-member',
      'POST',
      `/organizations/${org}/users/nobody/access`,
      { role: 'member' },
      404,
      'not_found',
    ],
    ['key without a name', 'POST', '/api-keys', { permissions: [] }, 400, 'invalid_argument'],
    ['key with a bad name', 'POST', '/api-keys', { name: '../x', permissions: [] }, 400, 'invalid_argument'],
    [
      'key with an unknown permission',
      'POST',
      '/api-keys',
      { name: 'k', permissions: ['root'] },
      400,
      'invalid_argument',
    ],
    [
      'key with a bad expiry',
      'POST',
      '/api-keys',
      { name: 'k', permissions: [], expiresAt: 'tomorrow' },
      400,
      'invalid_argument',
    ],
    ['key with a name already used', 'POST', '/api-keys', { name: 'ro', permissions: [] }, 409, 'conflict'],
    ['revoke an unknown key', 'DELETE', '/api-keys/nope', undefined, 404, 'not_found'],
    ['secret without a value', 'POST', '/secret', { name: 's' }, 400, 'invalid_argument'],
    ['secret with a bad name', 'POST', '/secret', { name: 'a b', value: 'v' }, 400, 'invalid_argument'],
    ['secret over 64 KiB', 'POST', '/secret', { name: 'big', value: 'x'.repeat(70_000) }, 400, 'invalid_argument'],
    ['unknown secret', 'GET', '/secret/nope', undefined, 404, 'not_found'],
    ['sandbox with an unknown secret', 'POST', '/sandbox', { secrets: [{ A: 'nope' }] }, 404, 'not_found'],
    [
      'sandbox secrets with a bad variable name',
      'POST',
      '/sandbox',
      { secrets: [{ '1A': 'x' }] },
      400,
      'invalid_argument',
    ],
    [
      'sandbox with a bad domain list',
      'POST',
      '/sandbox',
      { domainAllowList: 'exa mple.com' },
      400,
      'invalid_argument',
    ],
    ['quota with an unknown name', 'PUT', `/organizations/${org}/quotas`, { gpus: 1 }, 400, 'invalid_argument'],
    ['quota below -1', 'PUT', `/organizations/${org}/quotas`, { cpu: -5 }, 400, 'invalid_argument'],
    ['fractional sandbox quota', 'PUT', `/organizations/${org}/quotas`, { sandboxes: 1.5 }, 400, 'invalid_argument'],
    [
      'defaults with an unknown runtime',
      'PUT',
      `/organizations/${org}/defaults`,
      { runtime: 'kata' },
      400,
      'invalid_argument',
    ],
    [
      'defaults with a bad CIDR',
      'PUT',
      `/organizations/${org}/defaults`,
      { networkAllowList: '10.0.0.0/40' },
      400,
      'invalid_argument',
    ],
    ['audit with a bad outcome', 'GET', '/audit?outcome=maybe', undefined, 400, 'invalid_argument'],
    ['audit with a bad time', 'GET', '/audit?from=yesterday', undefined, 400, 'invalid_argument'],
    ['audit with a bad cursor', 'GET', '/audit?cursor=garbage', undefined, 400, 'invalid_argument'],
    ['audit by a read-only key', 'GET', '/audit', undefined, 403, 'forbidden', 'readonly'],
    ['usage with a bad time', 'GET', '/usage?since=soon', undefined, 400, 'invalid_argument'],
    ['foreign organization header', 'GET', '/sandbox', undefined, 404, 'not_found'],
  ];

  it('answers every row with its status, code, a message and a hint', async () => {
    for (const [name, method, path, body, status, code, who] of rows()) {
      const key = who === 'readonly' ? readonly : who === 'none' ? null : stack.key;
      const headers = name === 'foreign organization header' ? { 'x-daytona-organization-id': 'not-mine' } : undefined;
      const r = await as(stack, key)(method, path, body, headers);
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body?.code, code, `${name}: ${JSON.stringify(r.body)}`);
      assert.ok(typeof r.body?.message === 'string' && r.body.message.length > 5, `${name}: no message`);
      assert.ok(
        typeof r.body?.hint === 'string' && r.body.hint.length > 5,
        `${name}: no hint in ${JSON.stringify(r.body)}`,
      );
    }
  });

  it('left nothing behind', async () => {
    assert.deepEqual(await counts(), before0);
  });
});

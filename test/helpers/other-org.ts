// A second organization with its own member and API key, for tests that
// check one organization cannot reach another's sandboxes.
import { randomBytes, randomUUID } from 'node:crypto';
import { PERMISSIONS } from '../../orchestrator/keys/permissions.js';
import type { Stack } from './stack.js';

export async function otherOrganizationKey(stack: Stack): Promise<string> {
  const { store, orch } = stack.server;
  const now = Date.now();
  const userId = randomUUID();
  const organizationId = randomUUID();
  await store.knex('users').insert({
    id: userId,
    email: `other-${randomBytes(4).toString('hex')}@example.test`,
    name: 'Other',
    system_admin: false,
    created_at: now,
  });
  await store.knex('organizations').insert({
    id: organizationId,
    name: 'Other',
    personal: false,
    created_at: now,
    updated_at: now,
  });
  await store.knex('memberships').insert({
    organization_id: organizationId,
    user_id: userId,
    role: 'owner',
    created_at: now,
  });
  const key = await orch.keys.create({ organizationId, userId, name: 'other', permissions: [...PERMISSIONS] });
  return key.value;
}

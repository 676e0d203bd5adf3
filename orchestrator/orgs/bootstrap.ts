// First start: an admin user, a default organization and an API key, so the
// server is usable at once. The key is printed once and handed to the CLI.
// Later starts give first-start keys any permission a newer version added.
import { newId } from '../../common/ids.js';
import { MembershipRepo } from './memberships-repo.js';
import { OrganizationRepo } from './organizations-repo.js';
import { UserRepo } from './users-repo.js';
import type { Clock } from '../../common/clock.js';
import type { Store } from '../store/db.js';
import type { KeyService } from '../keys/service.js';
import { PERMISSIONS } from '../keys/permissions.js';

export interface BootstrapResult {
  created: boolean;
  organizationId: string;
  userId: string;
  /** Set only when a key was created now (printed once). */
  apiKey?: string;
  /** Id of that key (the web UI sign-in link printed at first start acts as it). */
  keyId?: string;
}

export async function bootstrapAdmin(
  store: Store,
  keys: KeyService,
  clock: Clock,
  adminKey?: string,
): Promise<BootstrapResult> {
  const now = clock.now().getTime();
  const users = new UserRepo(store);
  const memberships = new MembershipRepo(store);
  const admin = await users.firstSystemAdmin();
  if (admin) {
    await keys.widenBootstrapKeys(PERMISSIONS);
    const m = await memberships.firstOwned(admin.id);
    const organizationId = m?.organization_id ?? '';
    if (adminKey && organizationId && !(await keys.exists(adminKey))) {
      const k = await keys.create({
        organizationId,
        userId: admin.id,
        name: `admin-${now}`,
        permissions: [...PERMISSIONS],
        value: adminKey,
      });
      await keys.markBootstrap(k.id);
      return { created: false, organizationId, userId: admin.id, apiKey: adminKey, keyId: k.id };
    }
    return { created: false, organizationId, userId: admin.id };
  }
  const userId = newId();
  const organizationId = newId();
  await store.transaction(async (trx) => {
    await users.insert(
      { id: userId, email: 'admin@localhost', name: 'Admin', system_admin: true, created_at: now },
      trx,
    );
    await new OrganizationRepo(store).insert(
      { id: organizationId, name: 'Default', personal: true, created_at: now, updated_at: now },
      trx,
    );
    await memberships.insert({ organization_id: organizationId, user_id: userId, role: 'owner', created_at: now }, trx);
  });
  const key = await keys.create({
    organizationId,
    userId,
    name: 'admin',
    permissions: [...PERMISSIONS],
    value: adminKey,
  });
  await keys.markBootstrap(key.id);
  return { created: true, organizationId, userId, apiKey: key.value, keyId: key.id };
}

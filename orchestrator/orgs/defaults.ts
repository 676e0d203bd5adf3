// An organization's defaults for new sandboxes: network policy (block all,
// CIDR and domain allow-lists) and runtime. A create request that names any
// network field uses only its own; one that names none gets the defaults.
import { AppError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Store } from '../store/db.js';
import type { Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';
import { CreateSandboxInput, domainAllowListSchema } from '../sandboxes/create-input.js';
import { OrganizationSettingsRepo } from './settings-repo.js';

export interface SandboxDefaults {
  networkBlockAll: boolean | null;
  networkAllowList: string[];
  domainAllowList: string[];
  runtime: 'runc' | 'gvisor' | null;
  /** Whether preview/SSH requests start stopped or archived sandboxes that have no setting of their own (null = no). */
  autoStartOnRequest: boolean | null;
}

const list = (s: string | null | undefined) => (s ? s.split(',').filter(Boolean) : []);

export class OrgDefaultsService {
  private readonly repo: OrganizationSettingsRepo;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.repo = new OrganizationSettingsRepo(store);
  }

  async get(organizationId: string): Promise<SandboxDefaults> {
    const r = await this.repo.get(organizationId);
    return {
      networkBlockAll:
        r?.default_network_block_all === null || r?.default_network_block_all === undefined
          ? null
          : !!r.default_network_block_all,
      networkAllowList: list(r?.default_network_allow_list),
      domainAllowList: list(r?.default_domain_allow_list),
      runtime: r?.default_runtime === 'gvisor' || r?.default_runtime === 'runc' ? r.default_runtime : null,
      autoStartOnRequest:
        r?.default_auto_start_on_request === null || r?.default_auto_start_on_request === undefined
          ? null
          : !!r.default_auto_start_on_request,
    };
  }

  /** Owners and admins change their organization's defaults (null clears one). */
  async set(p: Principal, raw: unknown): Promise<SandboxDefaults> {
    requirePermission(p, 'manage:organization');
    if (p.role === 'member')
      throw new AppError('forbidden', 'only owners and admins change organization defaults', {
        hint: 'ask an owner or admin',
      });
    const b = (raw ?? {}) as Record<string, unknown>;
    const known = ['networkBlockAll', 'networkAllowList', 'domainAllowList', 'runtime', 'autoStartOnRequest'];
    const unknown = Object.keys(b).filter((k) => !known.includes(k));
    if (unknown.length)
      throw new AppError('invalid_argument', `unknown field(s): ${unknown.join(', ')}`, {
        hint: `send any of ${known.join(', ')}`,
      });
    const fields: Record<string, unknown> = {};
    if ('networkBlockAll' in b) {
      if (b.networkBlockAll !== null && typeof b.networkBlockAll !== 'boolean')
        throw new AppError('invalid_argument', 'networkBlockAll must be true, false or null', {
          hint: 'null returns to no default',
        });
      fields.default_network_block_all = b.networkBlockAll;
    }
    if ('networkAllowList' in b) {
      const r =
        b.networkAllowList === null
          ? { success: true as const, data: [] as string[] }
          : CreateSandboxInput.shape.networkAllowList.safeParse(b.networkAllowList);
      if (!r.success)
        throw new AppError('invalid_argument', r.error.issues.map((i) => i.message).join('; '), {
          hint: 'e.g. "1.2.3.0/24,8.8.8.8/32"',
        });
      fields.default_network_allow_list = r.data?.length ? r.data.join(',') : null;
    }
    if ('domainAllowList' in b) {
      const r =
        b.domainAllowList === null
          ? { success: true as const, data: [] as string[] }
          : domainAllowListSchema.safeParse(b.domainAllowList);
      if (!r.success)
        throw new AppError('invalid_argument', r.error.issues.map((i) => i.message).join('; '), {
          hint: 'e.g. "pypi.org,*.pythonhosted.org"',
        });
      fields.default_domain_allow_list = r.data.length ? r.data.join(',') : null;
    }
    if ('runtime' in b) {
      if (b.runtime !== null && b.runtime !== 'runc' && b.runtime !== 'gvisor')
        throw new AppError('invalid_argument', 'runtime must be runc, gvisor or null', {
          hint: 'null returns to the server default (runc)',
        });
      fields.default_runtime = b.runtime;
    }
    if ('autoStartOnRequest' in b) {
      if (b.autoStartOnRequest !== null && typeof b.autoStartOnRequest !== 'boolean')
        throw new AppError('invalid_argument', 'autoStartOnRequest must be true, false or null', {
          hint: 'null returns to no default (off)',
        });
      fields.default_auto_start_on_request = b.autoStartOnRequest;
    }
    await this.repo.patch(p.organizationId, fields, this.clock.now().getTime());
    return this.get(p.organizationId);
  }
}

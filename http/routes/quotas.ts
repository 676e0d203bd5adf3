// Quotas: members read their organization's; Berth administrators change any
// organization's (PUT /api/organizations/{id}/quotas; null restores the
// server default, -1 means unlimited).
import { z } from 'zod';
import { notFound } from '../../common/errors.js';
import { QUOTA_NAMES } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../context.js';
import { body } from '../parse.js';

const Patch = z.object(Object.fromEntries(QUOTA_NAMES.map((q) => [q, z.number().nullable().optional()]))).strict();

export function registerQuotas(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const view = async (ctx: Ctx, organizationId: string) => {
    if (!(await d.orch.orgs.visible(principal(ctx), organizationId))) throw notFound(`organization ${organizationId}`, 'list your organizations with GET /api/organizations');
    const [q, used] = await Promise.all([d.orch.quotas.get(organizationId), d.orch.quotas.used(organizationId)]);
    ctx.body = { organizationId, quotas: q.quotas, overridden: q.overridden, used };
  };
  router.get('/quotas', auth, async (ctx) => view(ctx, principal(ctx).organizationId));
  router.get('/organizations/:id/quotas', auth, async (ctx) => view(ctx, ctx.params.id!));
  for (const method of ['put', 'patch'] as const) {
    router[method]('/organizations/:id/quotas', auth, async (ctx) => {
      await d.orch.quotas.set(principal(ctx), ctx.params.id!, body(ctx, Patch) as Record<string, number | null>);
      await view(ctx, ctx.params.id!);
    });
  }
}

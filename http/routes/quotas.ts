// Quotas: members read their organization's; Berth administrators change any
// organization's (PUT /api/organizations/{id}/quotas; null restores the
// server default, -1 means unlimited).
import { z } from 'zod';
import { notFound } from '../../common/errors.js';
import { QUOTA_NAMES } from '../../orchestrator/index.js';
import { principal, type Ctx } from '../context.js';
import { route, type RouteTable } from '../route.js';

const Patch = z.object(Object.fromEntries(QUOTA_NAMES.map((q) => [q, z.number().nullable().optional()]))).strict();

const tags = ['quotas'];
const auth = 'key';

export function registerQuotas(t: RouteTable): void {
  const d = t.d;
  const view = async (ctx: Ctx, organizationId: string) => {
    if (!(await d.orch.orgs.visible(principal(ctx), organizationId)))
      throw notFound(`organization ${organizationId}`, 'list your organizations with GET /api/organizations');
    const [q, used] = await Promise.all([d.orch.quotas.get(organizationId), d.orch.quotas.used(organizationId)]);
    ctx.body = { organizationId, quotas: q.quotas, overridden: q.overridden, used };
  };
  const read = { method: 'get', summary: "An organization's quotas and what it uses", tags, auth } as const;
  route(t, { ...read, path: '/quotas' }, async (ctx) => view(ctx, principal(ctx).organizationId));
  route(t, { ...read, path: '/organizations/:id/quotas' }, async (ctx) => view(ctx, ctx.params.id!));
  const summary = "Change an organization's quotas (administrators; null: the default, -1: unlimited)";
  for (const method of ['put', 'patch'] as const) {
    route(t, { method, path: '/organizations/:id/quotas', summary, tags, auth, body: Patch }, async (ctx, { body }) => {
      await d.orch.quotas.set(principal(ctx), ctx.params.id!, body as Record<string, number | null>);
      await view(ctx, ctx.params.id!);
    });
  }
}

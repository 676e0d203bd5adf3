// Organization secrets at Daytona's paths (/api/secret…) and a sandbox's
// secrets (PUT /api/sandbox/{id}/secrets). Values go in, never come out.
import { z } from 'zod';
import type { Secret } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';
import { sandboxDto } from '../dto.js';
import { body, queryNumber, queryString } from '../parse.js';

export const secretDto = (s: Secret) => ({
  id: s.id,
  name: s.name,
  description: s.description ?? undefined,
  hosts: s.hosts,
  // What the sandbox sees in place of the value when no injection happens; Berth injects the value itself.
  placeholder: `berth-secret:${s.name}`,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

const raw = (ctx: { request: unknown }) => (ctx.request as { body?: unknown }).body;

export function registerSecrets(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const svc = () => d.orch.secrets;

  router.post('/secret', auth, async (ctx) => {
    ctx.status = 201;
    ctx.body = secretDto(await svc().create(principal(ctx), raw(ctx)));
  });
  router.get('/secret/paginated', auth, async (ctx) => {
    const order = queryString(ctx, 'order');
    const r = await svc().list(principal(ctx), { cursor: queryString(ctx, 'cursor') || undefined, limit: queryNumber(ctx, 'limit', { min: 1, max: 1000, int: true }), name: queryString(ctx, 'name') || undefined, order: order === 'desc' ? 'desc' : 'asc' });
    ctx.body = { items: r.items.map(secretDto), total: r.total, nextCursor: r.nextCursor };
  });
  router.get('/secret', auth, async (ctx) => {
    ctx.body = (await svc().list(principal(ctx), { limit: 1000 })).items.map(secretDto);
  });
  router.get('/secret/:id', auth, async (ctx) => {
    ctx.body = secretDto(await svc().get(principal(ctx), ctx.params.id!));
  });
  router.patch('/secret/:id', auth, async (ctx) => {
    ctx.body = secretDto(await svc().update(principal(ctx), ctx.params.id!, raw(ctx)));
  });
  router.delete('/secret/:id', auth, async (ctx) => {
    await svc().remove(principal(ctx), ctx.params.id!);
    ctx.status = 204;
  });

  router.put('/sandbox/:id/secrets', auth, async (ctx) => {
    const b = body(ctx, z.object({ secrets: z.array(z.record(z.string(), z.string())) }).strict());
    ctx.body = sandboxDto(await d.orch.sandboxSecrets.update(principal(ctx), ctx.params.id!, b.secrets), d.config.publicUrl);
  });
}

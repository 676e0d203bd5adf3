// API keys (Daytona's /api/api-keys): create (the value is in this answer
// only), list, show, revoke. A key never grants more than its creator holds.
import { z } from 'zod';
import type { ApiKeyInfo } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';
import { body, queryBool } from '../parse.js';

export const apiKeyDto = (k: ApiKeyInfo) => ({
  id: k.id,
  name: k.name,
  // Never the key: its first characters, to recognise it.
  value: `${k.prefix}…`,
  prefix: k.prefix,
  userId: k.userId,
  organizationId: k.organizationId,
  permissions: k.permissions,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  expiresAt: k.expiresAt?.toISOString() ?? null,
});

const Create = z
  .object({
    name: z.string(),
    permissions: z.array(z.string()).max(64).default([]),
    expiresAt: z.string().datetime({ offset: true }).nullable().optional(),
  })
  .strict();

export function registerApiKeys(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const keys = () => d.orch.keys;

  router.get('/api-keys', auth, async (ctx) => {
    ctx.body = (await keys().list(principal(ctx), { all: queryBool(ctx, 'all') ?? false })).map(apiKeyDto);
  });
  router.post('/api-keys', auth, async (ctx) => {
    const b = body(ctx, Create);
    const k = await keys().createFor(principal(ctx), { name: b.name, permissions: b.permissions, expiresAt: b.expiresAt ? new Date(b.expiresAt) : null });
    ctx.status = 201;
    ctx.body = { ...apiKeyDto(k), value: k.value };
  });
  router.get('/api-keys/current', auth, async (ctx) => {
    ctx.body = apiKeyDto(await keys().current(principal(ctx)));
  });
  router.get('/api-keys/:name', auth, async (ctx) => {
    ctx.body = apiKeyDto(await keys().get(principal(ctx), ctx.params.name!));
  });
  router.delete('/api-keys/:name', auth, async (ctx) => {
    await keys().revoke(principal(ctx), ctx.params.name!);
    ctx.status = 204;
  });
  router.delete('/api-keys/:userId/:name', auth, async (ctx) => {
    await keys().revoke(principal(ctx), ctx.params.name!, ctx.params.userId!);
    ctx.status = 204;
  });
}

// API keys (Daytona's /api/api-keys): create (the value is in this answer
// only), list, show, revoke. A key never grants more than its creator holds.
import { z } from 'zod';
import type { ApiKeyInfo } from '../../orchestrator/index.js';
import { principal } from '../context.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';

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

const tags = ['API keys'];
const auth = 'key';

export function registerApiKeys(t: RouteTable): void {
  const keys = () => t.d.orch.keys;

  const list = { summary: 'List API keys', tags, auth, query: queryObject({ all: qs.bool() }) } as const;
  route(t, { ...list, method: 'get', path: '/api-keys' }, async (ctx, { query }) => {
    ctx.body = (await keys().list(principal(ctx), { all: query.all ?? false })).map(apiKeyDto);
  });
  const example = { name: 'ci', permissions: ['write:sandboxes'] };
  const create = {
    summary: 'Create an API key (its value is in this answer only)',
    tags,
    auth,
    body: Create,
    example,
    responses: { 201: 'Created' },
  } as const;
  route(t, { ...create, method: 'post', path: '/api-keys' }, async (ctx, { body: b }) => {
    const k = await keys().createFor(principal(ctx), {
      name: b.name,
      permissions: b.permissions,
      expiresAt: b.expiresAt ? new Date(b.expiresAt) : null,
    });
    ctx.status = 201;
    ctx.body = { ...apiKeyDto(k), value: k.value };
  });
  route(
    t,
    { method: 'get', path: '/api-keys/current', summary: 'The key of this request', tags, auth },
    async (ctx) => {
      ctx.body = apiKeyDto(await keys().current(principal(ctx)));
    },
  );
  route(t, { method: 'get', path: '/api-keys/:name', summary: 'An API key by name', tags, auth }, async (ctx) => {
    ctx.body = apiKeyDto(await keys().get(principal(ctx), ctx.params.name!));
  });
  const revoke = { summary: 'Revoke an API key', tags, auth, responses: { 204: 'Revoked' } } as const;
  route(t, { ...revoke, method: 'delete', path: '/api-keys/:name' }, async (ctx) => {
    await keys().revoke(principal(ctx), ctx.params.name!);
    ctx.status = 204;
  });
  route(
    t,
    { ...revoke, method: 'delete', path: '/api-keys/:userId/:name', summary: "Revoke another member's API key" },
    async (ctx) => {
      await keys().revoke(principal(ctx), ctx.params.name!, ctx.params.userId!);
      ctx.status = 204;
    },
  );
}

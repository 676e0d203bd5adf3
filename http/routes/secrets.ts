// Organization secrets at Daytona's paths (/api/secret…) and a sandbox's
// secrets (PUT /api/sandbox/{id}/secrets). Values go in, never come out.
import { z } from 'zod';
import type { Secret } from '../../orchestrator/index.js';
import { CreateSecret, UpdateSecret } from '../../orchestrator/secrets/service.js';
import { principal } from '../context.js';
import { sandboxDto } from '../dto.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';

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

const tags = ['secrets'];
const page = queryObject({
  cursor: qs.string('Where the previous page ended (its nextCursor)'),
  limit: qs.number({ min: 1, max: 1000, int: true }),
  name: qs.string('Only secrets whose name contains this'),
  order: qs.string('asc (default) or desc'),
});

export function registerSecrets(t: RouteTable): void {
  const svc = () => t.d.orch.secrets;

  const example = { name: 'GITHUB_TOKEN', value: 'ghp_example', hosts: ['api.github.com'] };
  const created = { 201: 'Created' };
  route(
    t,
    {
      method: 'post',
      path: '/secret',
      summary: 'Create a secret',
      tags,
      auth: 'key',
      body: CreateSecret,
      bodyCheckedBy: 'service',
      example,
      responses: created,
    },
    async (ctx) => {
      ctx.status = 201;
      ctx.body = secretDto(await svc().create(principal(ctx), raw(ctx)));
    },
  );
  route(
    t,
    {
      method: 'get',
      path: '/secret/paginated',
      summary: 'List secrets, a page at a time',
      tags,
      auth: 'key',
      query: page,
    },
    async (ctx, { query: q }) => {
      const r = await svc().list(principal(ctx), {
        cursor: q.cursor || undefined,
        limit: q.limit,
        name: q.name || undefined,
        order: q.order === 'desc' ? 'desc' : 'asc',
      });
      ctx.body = { items: r.items.map(secretDto), total: r.total, nextCursor: r.nextCursor };
    },
  );
  route(t, { method: 'get', path: '/secret', summary: 'List secrets', tags, auth: 'key' }, async (ctx) => {
    ctx.body = (await svc().list(principal(ctx), { limit: 1000 })).items.map(secretDto);
  });
  route(
    t,
    { method: 'get', path: '/secret/:id', summary: 'Get a secret (never its value)', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = secretDto(await svc().get(principal(ctx), ctx.params.id!));
    },
  );
  const update = {
    method: 'patch',
    path: '/secret/:id',
    summary: 'Change a secret',
    tags,
    auth: 'key',
    body: UpdateSecret,
    bodyCheckedBy: 'service',
    example: { value: 'ghp_other' },
  } as const;
  route(t, update, async (ctx) => {
    ctx.body = secretDto(await svc().update(principal(ctx), ctx.params.id!, raw(ctx)));
  });
  route(
    t,
    {
      method: 'delete',
      path: '/secret/:id',
      summary: 'Delete a secret',
      tags,
      auth: 'key',
      responses: { 204: 'Deleted' },
    },
    async (ctx) => {
      await svc().remove(principal(ctx), ctx.params.id!);
      ctx.status = 204;
    },
  );

  const Mapping = z.object({ secrets: z.array(z.record(z.string(), z.string())) }).strict();
  const summary = "Set a sandbox's secrets (ENV_NAME → secret name)";
  const mapping = { secrets: [{ GITHUB_TOKEN: 'GITHUB_TOKEN' }] };
  route(
    t,
    { method: 'put', path: '/sandbox/:id/secrets', summary, tags, auth: 'key', body: Mapping, example: mapping },
    async (ctx, { body: b }) => {
      ctx.body = sandboxDto(
        await t.d.orch.sandboxSecrets.update(principal(ctx), ctx.params.id!, b.secrets),
        t.d.config.publicUrl,
      );
    },
  );
}

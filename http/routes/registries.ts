// Daytona's /docker-registry routes: an organization's private registries.
// Passwords go in, never out.
import { AppError } from '../../common/errors.js';
import type { DockerRegistry } from '../../orchestrator/index.js';
import { Create, Update } from '../../orchestrator/images/registries.js';
import { principal } from '../context.js';
import { route, type RouteTable } from '../route.js';

const dto = (r: DockerRegistry) => ({
  id: r.id,
  name: r.name,
  url: r.url,
  username: r.username,
  project: r.project,
  registryType: r.registryType,
  isDefault: r.isDefault,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
const raw = (ctx: { request: unknown }) => (ctx.request as { body?: unknown }).body;

const tags = ['registries'];

export function registerRegistries(t: RouteTable): void {
  const svc = () => t.d.orch.registries;

  route(
    t,
    { method: 'get', path: '/docker-registry', summary: "List the organization's registries", tags, auth: 'key' },
    async (ctx) => {
      ctx.body = (await svc().list(principal(ctx))).map(dto);
    },
  );
  const example = { name: 'private', url: 'registry.example.com:5000', username: 'me', password: 'secret' };
  const create = {
    method: 'post',
    path: '/docker-registry',
    summary: 'Add a registry',
    tags,
    auth: 'key',
    body: Create,
    bodyCheckedBy: 'service',
    example,
    responses: { 201: 'Added' },
  } as const;
  route(t, create, async (ctx) => {
    ctx.status = 201;
    ctx.body = dto(await svc().create(principal(ctx), raw(ctx)));
  });
  // Daytona's push access to its own internal registry: Berth has none (builds happen on the engine).
  route(
    t,
    {
      method: 'get',
      path: '/docker-registry/registry-push-access',
      summary: 'Push access to an internal registry (501: Berth has none)',
      tags,
      auth: 'key',
      responses: { 501: 'Not implemented' },
    },
    async () => {
      throw new AppError('not_implemented', 'Berth has no internal registry to push to', {
        hint: 'build images with snapshot.create({ image: Image… }) or register one that exists on the host',
      });
    },
  );
  route(
    t,
    { method: 'get', path: '/docker-registry/:id', summary: 'Get a registry', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = dto(await svc().get(principal(ctx), ctx.params.id!));
    },
  );
  const update = {
    method: 'patch',
    path: '/docker-registry/:id',
    summary: 'Change a registry',
    tags,
    auth: 'key',
    body: Update,
    bodyCheckedBy: 'service',
    example: { username: 'someone' },
  } as const;
  route(t, update, async (ctx) => {
    ctx.body = dto(await svc().update(principal(ctx), ctx.params.id!, raw(ctx)));
  });
  route(
    t,
    {
      method: 'delete',
      path: '/docker-registry/:id',
      summary: 'Remove a registry',
      tags,
      auth: 'key',
      responses: { 204: 'Removed' },
    },
    async (ctx) => {
      await svc().remove(principal(ctx), ctx.params.id!);
      ctx.status = 204;
    },
  );

  route(
    t,
    {
      method: 'get',
      path: '/object-storage/push-access',
      summary: 'Object storage push access (Daytona SDK context uploads)',
      tags: ['object storage'],
      auth: 'key',
    },
    async (ctx) => {
      ctx.body = await t.d.orch.objects.pushAccess(principal(ctx));
    },
  );
}

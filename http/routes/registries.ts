// Daytona's /docker-registry routes: an organization's private registries.
// Passwords go in, never out.
import { AppError } from '../../common/errors.js';
import type { DockerRegistry } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';

const dto = (r: DockerRegistry) => ({ id: r.id, name: r.name, url: r.url, username: r.username, project: r.project, registryType: r.registryType, isDefault: r.isDefault, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });
const raw = (ctx: { request: unknown }) => (ctx.request as { body?: unknown }).body;

export function registerRegistries(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const svc = () => d.orch.registries;

  router.get('/docker-registry', auth, async (ctx) => {
    ctx.body = (await svc().list(principal(ctx))).map(dto);
  });
  router.post('/docker-registry', auth, async (ctx) => {
    ctx.status = 201;
    ctx.body = dto(await svc().create(principal(ctx), raw(ctx)));
  });
  // Daytona's push access to its own internal registry: Berth has none (builds happen on the engine).
  router.get('/docker-registry/registry-push-access', auth, async () => {
    throw new AppError('not_implemented', 'Berth has no internal registry to push to', { hint: 'build images with snapshot.create({ image: Image… }) or register one that exists on the host' });
  });
  router.get('/docker-registry/:id', auth, async (ctx) => {
    ctx.body = dto(await svc().get(principal(ctx), ctx.params.id!));
  });
  router.patch('/docker-registry/:id', auth, async (ctx) => {
    ctx.body = dto(await svc().update(principal(ctx), ctx.params.id!, raw(ctx)));
  });
  router.delete('/docker-registry/:id', auth, async (ctx) => {
    await svc().remove(principal(ctx), ctx.params.id!);
    ctx.status = 204;
  });

  router.get('/object-storage/push-access', auth, async (ctx) => {
    ctx.body = await d.orch.objects.pushAccess(principal(ctx));
  });
}

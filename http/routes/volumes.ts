// Daytona volume routes (compat spec §3.10).
import { z } from 'zod';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';
import { volumeDto } from '../dto.js';
import { body } from '../parse.js';

export function registerVolumes(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const svc = () => d.orch.volumes;

  router.get('/volumes', auth, async (ctx) => {
    ctx.body = (await svc().list(principal(ctx))).map(volumeDto);
  });
  router.post('/volumes', auth, async (ctx) => {
    const { name } = body(ctx, z.object({ name: z.string() }));
    ctx.body = volumeDto(await svc().create(principal(ctx), name));
  });
  router.get('/volumes/by-name/:name', auth, async (ctx) => {
    ctx.body = volumeDto(await svc().getByName(principal(ctx), ctx.params.name!));
  });
  router.get('/volumes/:volumeId', auth, async (ctx) => {
    ctx.body = volumeDto(await svc().get(principal(ctx), ctx.params.volumeId!));
  });
  router.delete('/volumes/:volumeId', auth, async (ctx) => {
    await svc().remove(principal(ctx), ctx.params.volumeId!);
    ctx.status = 204;
  });
}

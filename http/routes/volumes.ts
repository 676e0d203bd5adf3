// Daytona volume routes (compat spec §3.10).
import { z } from 'zod';
import { principal } from '../context.js';
import { volumeDto } from '../dto.js';
import { route, type RouteTable } from '../route.js';

const tags = ['volumes'];

export function registerVolumes(t: RouteTable): void {
  const svc = () => t.d.orch.volumes;

  route(t, { method: 'get', path: '/volumes', summary: 'List volumes', tags, auth: 'key' }, async (ctx) => {
    ctx.body = (await svc().list(principal(ctx))).map(volumeDto);
  });
  route(
    t,
    {
      method: 'post',
      path: '/volumes',
      summary: 'Create a volume',
      tags,
      auth: 'key',
      body: z.object({ name: z.string() }),
      example: { name: 'data' },
    },
    async (ctx, { body }) => {
      ctx.body = volumeDto(await svc().create(principal(ctx), body.name));
    },
  );
  route(
    t,
    { method: 'get', path: '/volumes/by-name/:name', summary: 'Get a volume by name', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = volumeDto(await svc().getByName(principal(ctx), ctx.params.name!));
    },
  );
  route(t, { method: 'get', path: '/volumes/:volumeId', summary: 'Get a volume', tags, auth: 'key' }, async (ctx) => {
    ctx.body = volumeDto(await svc().get(principal(ctx), ctx.params.volumeId!));
  });
  route(
    t,
    {
      method: 'delete',
      path: '/volumes/:volumeId',
      summary: 'Delete a volume',
      tags,
      auth: 'key',
      responses: { 204: 'Deleted' },
    },
    async (ctx) => {
      await svc().remove(principal(ctx), ctx.params.volumeId!);
      ctx.status = 204;
    },
  );
}

// Preview links, signed preview URLs and the file-URL signing key (compat spec §3.7).
import { z } from 'zod';
import { principal } from '../context.js';
import { pathInt } from '../parse.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';

const tags = ['previews'];
const auth = 'key';

export function registerPreview(t: RouteTable): void {
  const svc = () => t.d.orch.preview;

  const link = { summary: "A port's preview URL and the sandbox's preview token", tags, auth } as const;
  route(t, { ...link, method: 'get', path: '/sandbox/:id/ports/:port/preview-url' }, async (ctx) => {
    ctx.body = await svc().previewLink(principal(ctx), ctx.params.id!, pathInt(ctx, 'port', 1));
  });

  const expiresInSeconds = qs.number({ int: true, description: 'default 60; 1 s to 24 h' });
  const signed = {
    summary: 'A self-authenticating preview URL',
    tags,
    auth,
    query: queryObject({ expiresInSeconds }),
  } as const;
  route(
    t,
    { ...signed, method: 'get', path: '/sandbox/:id/ports/:port/signed-preview-url' },
    async (ctx, { query }) => {
      const seconds = query.expiresInSeconds ?? 60;
      ctx.body = await svc().signedPreviewUrl(principal(ctx), ctx.params.id!, pathInt(ctx, 'port', 1), seconds);
    },
  );

  const expire = { summary: 'Expire a signed preview URL now', tags, auth, responses: { 204: 'Expired' } } as const;
  route(
    t,
    { ...expire, method: 'post', path: '/sandbox/:id/ports/:port/signed-preview-url/:token/expire' },
    async (ctx) => {
      await svc().expireSignedPreviewUrl(principal(ctx), ctx.params.id!, pathInt(ctx, 'port', 1), ctx.params.token!);
      ctx.status = 204;
    },
  );

  // The SDK reads these as a bare JSON string.
  const key = {
    tags,
    auth,
    responses: { 200: z.string() },
    description: 'The answer is a bare JSON string, as the Daytona SDK reads it.',
  } as const;
  route(
    t,
    { ...key, method: 'get', path: '/sandbox/:id/signing-key', summary: 'The file-URL signing key' },
    async (ctx) => {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(await svc().signingKey(principal(ctx), ctx.params.id!));
    },
  );
  const rotate = { ...key, summary: 'Rotate the file-URL signing key (earlier URLs stop working)' } as const;
  route(t, { ...rotate, method: 'post', path: '/sandbox/:id/signing-key/rotate' }, async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(await svc().rotateSigningKey(principal(ctx), ctx.params.id!));
  });
}

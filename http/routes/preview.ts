// Preview links, signed preview URLs and the file-URL signing key (compat spec §3.7).
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';
import { pathInt, queryNumber } from '../parse.js';

export function registerPreview(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  const svc = () => d.orch.preview;

  router.get('/sandbox/:id/ports/:port/preview-url', auth, async (ctx) => {
    ctx.body = await svc().previewLink(principal(ctx), ctx.params.id!, pathInt(ctx, 'port', 1));
  });

  router.get('/sandbox/:id/ports/:port/signed-preview-url', auth, async (ctx) => {
    const seconds = queryNumber(ctx, 'expiresInSeconds', { int: true }) ?? 60;
    ctx.body = await svc().signedPreviewUrl(principal(ctx), ctx.params.id!, pathInt(ctx, 'port', 1), seconds);
  });

  router.post('/sandbox/:id/ports/:port/signed-preview-url/:token/expire', auth, async (ctx) => {
    await svc().expireSignedPreviewUrl(principal(ctx), ctx.params.id!, pathInt(ctx, 'port', 1), ctx.params.token!);
    ctx.status = 204;
  });

  // The SDK reads these as a bare JSON string.
  router.get('/sandbox/:id/signing-key', auth, async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(await svc().signingKey(principal(ctx), ctx.params.id!));
  });
  router.post('/sandbox/:id/signing-key/rotate', auth, async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(await svc().rotateSigningKey(principal(ctx), ctx.params.id!));
  });
}

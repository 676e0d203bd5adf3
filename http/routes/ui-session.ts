// Web UI sign-in and sign-out (/api/ui/session): an API key, or the one-time
// link `berth up` printed, is traded for an HttpOnly session cookie, so the
// key never sits in page storage. GET tells the page who it is signed in as.
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';
import { body } from '../parse.js';
import { checkCookieRequest, clearedSessionCookie, sessionCookie, sessionToken } from '../session.js';

const SignIn = z.union([z.object({ apiKey: z.string().min(1).max(512) }).strict(), z.object({ link: z.string().min(1).max(128) }).strict()]);

export function registerUiSession(router: ApiRouter, d: HttpDeps): void {
  router.post('/ui/session', async (ctx) => {
    // Signing a victim in as someone else (login CSRF) needs the same proof as any cookie request.
    checkCookieRequest(ctx.method, ctx.headers, d.config);
    const b = body(ctx, SignIn);
    const source = { ip: ctx.state.clientIp, frontend: 'webui', requestId: ctx.state.requestId };
    const s = await d.orch.signIn('link' in b ? { link: b.link } : { apiKey: b.apiKey }, source);
    ctx.set('set-cookie', sessionCookie(s.token, (s.expiresAt.getTime() - d.clock.now().getTime()) / 1000, d.config));
    ctx.set('cache-control', 'no-store');
    ctx.body = whoami(s.principal);
  });

  // Not signed in is an answer, not an error: the page asks this first on every load.
  const auth = requireAuth(d);
  router.get('/ui/session', async (ctx) => {
    ctx.set('cache-control', 'no-store');
    try {
      await auth(ctx, async () => {});
    } catch (e) {
      if (e instanceof AppError && e.code === 'unauthorized') return void (ctx.body = { signedIn: false });
      throw e;
    }
    ctx.body = whoami(principal(ctx));
  });

  router.delete('/ui/session', auth, async (ctx) => {
    const token = sessionToken(ctx.get('cookie'));
    if (!token || ctx.get('authorization')) throw new AppError('invalid_argument', 'no web session to sign out of', { hint: 'sign-out ends the session of the cookie the web UI holds; API keys are revoked with DELETE /api/api-keys/{name}' });
    await d.orch.signOut(principal(ctx), token);
    ctx.set('set-cookie', clearedSessionCookie(d.config));
    ctx.status = 204;
  });
}

const whoami = (p: ReturnType<typeof principal>) => ({
  signedIn: true,
  userId: p.userId,
  email: p.email ?? null,
  organizationId: p.organizationId,
  role: p.role,
  permissions: p.permissions,
  systemAdmin: p.systemAdmin,
  keyId: p.keyId,
});

// Web UI sign-in and sign-out (/api/ui/session): an API key, or the one-time
// link `berth up` printed, is traded for an HttpOnly session cookie, so the
// key never sits in page storage. GET tells the page who it is signed in as.
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { requireAuth } from '../auth.js';
import { principal } from '../context.js';
import { route, type RouteTable } from '../route.js';
import { checkCookieRequest, clearedSessionCookie, sessionCookie, sessionToken } from '../session.js';

const SignIn = z.union([
  z.object({ apiKey: z.string().min(1).max(512) }).strict(),
  z.object({ link: z.string().min(1).max(128) }).strict(),
]);

const tags = ['web UI session'];

export function registerUiSession(t: RouteTable): void {
  const d = t.d;
  // Signing a victim in as someone else (login CSRF) needs the same proof as any cookie request.
  const csrf = async (ctx: { method: string; headers: Record<string, unknown> }, next: () => Promise<unknown>) => {
    checkCookieRequest(ctx.method, ctx.headers as never, d.config);
    await next();
  };
  const summary = 'Sign in (an API key or a one-time link) for a session cookie';
  const example = { apiKey: 'berth_no-such-key' };
  route(
    t,
    { method: 'post', path: '/ui/session', summary, tags, auth: 'none', body: SignIn, example, before: [csrf] },
    async (ctx, { body: b }) => {
      const source = { ip: ctx.state.clientIp, frontend: 'webui', requestId: ctx.state.requestId };
      const s = await d.orch.signIn('link' in b ? { link: b.link } : { apiKey: b.apiKey }, source);
      ctx.set('set-cookie', sessionCookie(s.token, (s.expiresAt.getTime() - d.clock.now().getTime()) / 1000, d.config));
      ctx.set('cache-control', 'no-store');
      ctx.body = whoami(s.principal);
    },
  );

  // Not signed in is an answer, not an error: the page asks this first on every load.
  const auth = requireAuth(d);
  const own = { own: 'optional: an API key or the session cookie; without one the answer is {"signedIn": false}' };
  route(
    t,
    { method: 'get', path: '/ui/session', summary: 'Who the caller is signed in as', tags, auth: own },
    async (ctx) => {
      ctx.set('cache-control', 'no-store');
      try {
        await auth(ctx, async () => {});
      } catch (e) {
        if (e instanceof AppError && e.code === 'unauthorized') return void (ctx.body = { signedIn: false });
        throw e;
      }
      ctx.body = whoami(principal(ctx));
    },
  );

  route(
    t,
    {
      method: 'delete',
      path: '/ui/session',
      summary: "Sign out (the cookie's session ends)",
      tags,
      auth: 'key',
      responses: { 204: 'Signed out' },
    },
    async (ctx) => {
      const token = sessionToken(ctx.get('cookie'));
      if (!token || ctx.get('authorization'))
        throw new AppError('invalid_argument', 'no web session to sign out of', {
          hint: 'sign-out ends the session of the cookie the web UI holds; API keys are revoked with DELETE /api/api-keys/{name}',
        });
      await d.orch.signOut(principal(ctx), token);
      ctx.set('set-cookie', clearedSessionCookie(d.config));
      ctx.status = 204;
    },
  );
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

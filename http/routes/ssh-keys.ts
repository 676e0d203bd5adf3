// People's SSH public keys (`ssh <sandbox>@host -p 2222` logs in with one):
// /api/users/me/ssh-keys — add, list, remove. Keys belong to the user behind
// the API key, across their organizations.
import { z } from 'zod';
import type { SshKey } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';
import { body } from '../parse.js';

export const sshKeyDto = (k: SshKey) => ({
  id: k.id,
  name: k.name,
  type: k.type,
  fingerprint: k.fingerprint,
  publicKey: k.publicKey,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
});

const Add = z.object({ publicKey: z.string().min(1).max(16_384), name: z.string().optional() }).strict();

export function registerSshKeys(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);

  router.get('/users/me/ssh-keys', auth, async (ctx) => {
    ctx.body = (await d.orch.ssh.keys.list(principal(ctx))).map(sshKeyDto);
  });
  router.post('/users/me/ssh-keys', auth, async (ctx) => {
    const b = body(ctx, Add);
    ctx.status = 201;
    ctx.body = sshKeyDto(await d.orch.ssh.keys.add(principal(ctx), { publicKey: b.publicKey, name: b.name }));
  });
  // By id, name or fingerprint; sessions opened with the key end.
  router.delete('/users/me/ssh-keys/:key', auth, async (ctx) => {
    await d.orch.ssh.keys.remove(principal(ctx), ctx.params.key!);
    ctx.status = 204;
  });
}

// SSH access at Daytona's paths (compat spec §3.7): a token for one sandbox
// whose `sshCommand` logs in through the SSH gateway, its revocation (open
// sessions end), and validation. People's own keys are in ssh-keys.ts.
import type { SshAccess } from '../../orchestrator/index.js';
import { SSH_ACCESS_DEFAULT_MINUTES, SSH_ACCESS_MAX_MINUTES } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type HttpDeps } from '../context.js';
import { sandboxDto } from '../dto.js';
import { queryNumber, queryString } from '../parse.js';

export const sshAccessDto = (a: SshAccess) => ({
  id: a.id,
  sandboxId: a.sandboxId,
  token: a.token,
  expiresAt: a.expiresAt.toISOString(),
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
  sshCommand: a.sshCommand,
});

export function registerSshAccess(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);

  router.post('/sandbox/:id/ssh-access', auth, async (ctx) => {
    const minutes = queryNumber(ctx, 'expiresInMinutes', { int: true, min: 1, max: SSH_ACCESS_MAX_MINUTES }) ?? SSH_ACCESS_DEFAULT_MINUTES;
    ctx.body = sshAccessDto(await d.orch.ssh.access.create(principal(ctx), ctx.params.id!, minutes));
  });

  // Without ?token= every token of the sandbox is revoked. Answers the sandbox, as Daytona does.
  router.delete('/sandbox/:id/ssh-access', auth, async (ctx) => {
    const p = principal(ctx);
    await d.orch.ssh.access.revoke(p, ctx.params.id!, queryString(ctx, 'token') || undefined);
    ctx.body = sandboxDto(await d.orch.sandboxes.get(p, ctx.params.id!), d.config.publicUrl);
  });

  router.get('/sandbox/ssh-access/validate', auth, async (ctx) => {
    ctx.body = await d.orch.ssh.access.validate(principal(ctx), queryString(ctx, 'token', true));
  });
}

// SSH access at Daytona's paths (compat spec §3.7): a token for one sandbox
// whose `sshCommand` logs in through the SSH gateway, its revocation (open
// sessions end), and validation. People's own keys are in ssh-keys.ts.
import type { SshAccess } from '../../orchestrator/index.js';
import { SSH_ACCESS_DEFAULT_MINUTES, SSH_ACCESS_MAX_MINUTES } from '../../orchestrator/index.js';
import { principal } from '../context.js';
import { sandboxDto } from '../dto.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';

export const sshAccessDto = (a: SshAccess) => ({
  id: a.id,
  sandboxId: a.sandboxId,
  token: a.token,
  expiresAt: a.expiresAt.toISOString(),
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
  sshCommand: a.sshCommand,
});

const tags = ['SSH access'];

export function registerSshAccess(t: RouteTable): void {
  const d = t.d;
  const minutes = qs.number({
    int: true,
    min: 1,
    max: SSH_ACCESS_MAX_MINUTES,
    description: `default ${SSH_ACCESS_DEFAULT_MINUTES}`,
  });
  const create = {
    summary: 'A token whose sshCommand logs in to the sandbox',
    tags,
    auth: 'key',
    query: queryObject({ expiresInMinutes: minutes }),
  } as const;
  route(t, { ...create, method: 'post', path: '/sandbox/:id/ssh-access' }, async (ctx, { query }) => {
    const m = query.expiresInMinutes ?? SSH_ACCESS_DEFAULT_MINUTES;
    ctx.body = sshAccessDto(await d.orch.ssh.access.create(principal(ctx), ctx.params.id!, m));
  });

  // Without ?token= every token of the sandbox is revoked. Answers the sandbox, as Daytona does.
  const revoke = {
    summary: 'Revoke a token (without ?token=, all); answers the sandbox',
    tags,
    auth: 'key',
    query: queryObject({ token: qs.string() }),
  } as const;
  route(t, { ...revoke, method: 'delete', path: '/sandbox/:id/ssh-access' }, async (ctx, { query }) => {
    const p = principal(ctx);
    await d.orch.ssh.access.revoke(p, ctx.params.id!, query.token || undefined);
    ctx.body = sandboxDto(await d.orch.sandboxes.get(p, ctx.params.id!), d.config.publicUrl);
  });

  const validate = {
    summary: 'Whether a token is valid, and for which sandbox',
    tags,
    auth: 'key',
    query: queryObject({ token: qs.required() }),
  } as const;
  route(t, { ...validate, method: 'get', path: '/sandbox/ssh-access/validate' }, async (ctx, { query }) => {
    ctx.body = await d.orch.ssh.access.validate(principal(ctx), query.token);
  });
}

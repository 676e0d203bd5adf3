import { z } from 'zod';
import { SSH_ACCESS_MAX_MINUTES } from '../../orchestrator/index.js';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';

export default defineTool({
  name: 'sandbox_ssh_access',
  group: 'core',
  title: 'SSH access to a sandbox',
  description:
    'Creates a token that lets a person (or an SSH client) log into the sandbox: returns the ssh command to run (`ssh -p <port> <token>@<host>`; scp and sftp take the same user and port). Anyone holding the token can log in until it expires; it can be revoked with DELETE /api/sandbox/{id}/ssh-access.',
  input: z.object({
    sandbox_id: sandboxId,
    expires_in_minutes: z
      .number()
      .int()
      .min(1)
      .max(SSH_ACCESS_MAX_MINUTES)
      .default(60)
      .describe('how long the token can be used to log in'),
  }),
  output: z.object({ sandbox_id: z.string(), ssh_command: z.string(), token: z.string(), expires_at: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ orch, principal }, a) {
    const s = await orch.ssh.access.create(principal, a.sandbox_id, a.expires_in_minutes);
    return {
      data: {
        sandbox_id: s.sandboxId,
        ssh_command: s.sshCommand,
        token: s.token,
        expires_at: s.expiresAt.toISOString(),
      },
      text: `Log in with:\n  ${s.sshCommand}\n(valid for logins until ${s.expiresAt.toISOString()}; scp and sftp use the same user and port: scp -P <port> file <token>@<host>:path)`,
    };
  },
});

// People's SSH public keys (`ssh <sandbox>@host -p 2222` logs in with one):
// /api/users/me/ssh-keys — add, list, remove. Keys belong to the user behind
// the API key, across their organizations.
import { z } from 'zod';
import type { SshKey } from '../../orchestrator/index.js';
import { principal } from '../context.js';
import { route, type RouteTable } from '../route.js';

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

const tags = ['SSH keys'];

export function registerSshKeys(t: RouteTable): void {
  const keys = () => t.d.orch.ssh.keys;

  route(
    t,
    { method: 'get', path: '/users/me/ssh-keys', summary: 'List your SSH public keys', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = (await keys().list(principal(ctx))).map(sshKeyDto);
    },
  );
  const example = {
    publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIACwyxKEGfCPNWeNNcysDg6Q6hETGfD1+FreRW9jZLfE me@laptop',
    name: 'laptop',
  };
  route(
    t,
    {
      method: 'post',
      path: '/users/me/ssh-keys',
      summary: 'Add an SSH public key',
      tags,
      auth: 'key',
      body: Add,
      example,
      responses: { 201: 'Added' },
    },
    async (ctx, { body: b }) => {
      ctx.status = 201;
      ctx.body = sshKeyDto(await keys().add(principal(ctx), { publicKey: b.publicKey, name: b.name }));
    },
  );
  // By id, name or fingerprint; sessions opened with the key end.
  const summary = 'Remove an SSH key (by id, name or fingerprint); its sessions end';
  route(
    t,
    { method: 'delete', path: '/users/me/ssh-keys/:key', summary, tags, auth: 'key', responses: { 204: 'Removed' } },
    async (ctx) => {
      await keys().remove(principal(ctx), ctx.params.key!);
      ctx.status = 204;
    },
  );
}
